"""What the benchmark ran on: CPU, cores, memory, versions, and the memory bandwidth."""

from __future__ import annotations

import os
import platform
import sys
import time
from typing import Any

import numpy as np


def _cpuinfo(key: str) -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return "not installed"


def bandwidth(size_mb: int = 256, repeats: int = 5) -> float:
    """Bytes per second of one read pass over memory (best of ``repeats`` sums)."""
    data = np.ones(size_mb * 2**20 // 8, dtype=np.int64)
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        data.sum()
        best = min(best, time.process_time() - start)
    return data.nbytes / best


def describe() -> dict[str, Any]:
    return {
        "cpu": _cpuinfo("model name"),
        "cores": os.cpu_count(),
        "memory_gb": round(_memory_gb(), 1),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "numba": _version("numba"),
        "peers": {
            p: _version(p)
            for p in ("pyrankvote", "votelib", "pref_voting", "pabutools", "abcvoting")
        },
        "load": os.getloadavg(),
        "env": {k: os.environ.get(k, "(unset)") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
    }
