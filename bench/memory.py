"""Working memory of one count, measured in a fresh process as the rise of peak RSS.

``python -m bench.memory WHO N M SEED`` generates N Plackett-Luce ballots over M
candidates, warms up, resets the process's peak RSS (``/proc/self/clear_refs``),
then lets WHO build and count IRV, and prints one JSON line with the rise of the
peak over the resident size before the count ("rise"), and the size of the input
("input"). For the engine (``ours``) the input is the raw ``int8`` ballot matrix
and the work is grouping plus the count; for a peer the input is the ballots as
Python lists of names and the work is building its profile plus its count.
"""

from __future__ import annotations

import gc
import json
import sys
from typing import Any

import numpy as np


def _status(key: str) -> int:
    with open("/proc/self/status", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{key} not in /proc/self/status")


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w", encoding="utf-8") as fh:
        fh.write("5")


def measure(who: str, n: int, m: int, seed: int) -> dict[str, Any]:
    from bench import peers
    from communard.counting import generate, kernels
    from communard.counting.profiles import RankedProfile

    raw = generate.plackett_luce(np.random.default_rng(seed), n, m)
    names = generate.candidate_names(m)
    small = raw[:1000]
    if who == "ours":
        ranks, weights = kernels.group_ranked(small)
        _irv(RankedProfile(names, ranks, weights))
        data: Any = raw
        input_bytes = int(raw.nbytes)
    else:
        gc.collect()
        start = _status("VmRSS")
        data = peers.name_lists(raw, names)
        input_bytes = _status("VmRSS") - start
        del raw
    gc.collect()
    _reset_peak()
    before = _status("VmRSS")
    if who == "ours":
        ranks, weights = kernels.group_ranked(data)
        winners = _irv(RankedProfile(names, ranks, weights))
    elif who == "pyrankvote":
        winners = peers.pyrankvote_irv(data, names, n).winners
    elif who == "votelib":
        winners = peers.votelib_irv(data, n).winners
    else:
        raise SystemExit(f"unknown: {who}")
    peak = _status("VmHWM")
    return {"who": who, "rise": peak - before, "input": input_bytes, "winners": list(winners)}


def _irv(profile: Any) -> tuple[str, ...]:
    from communard.counting import count, kernels
    from communard.counting.registry import get

    try:
        get("irv")
    except Exception:
        result = kernels.irv_fast(profile.ranks, profile.weights, len(profile.options))
        return tuple(profile.options[w] for w in result.winners)
    return count("irv", profile).winners


if __name__ == "__main__":
    who, n, m, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(measure(who, n, m, seed)))
