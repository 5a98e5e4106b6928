"""Which ballot format a file is in, and reading it with the right reader.

``detect_format(path)`` names the format from the extension, and from the
content when the extension does not settle it (``.json`` is an RCTab contest
config or a simple JSON ballot file; an unknown extension is sniffed).
``read_ballots(path, format)`` imports that format's reader lazily by module
path — a reader that is not installed gives a ``BallotFormatError`` saying so,
not an ``ImportError`` — and returns the ballots with the method the file
itself suggests (``default_method``).

| format    | files                         | reader                                  |
|-----------|-------------------------------|-----------------------------------------|
| rctab     | RCTab contest config ``.json`` | counted by the ``rctab`` method itself |
| blt       | ``.blt``                      | ``formats.blt.read_blt``                |
| preflib   | ``.soi .toi .soc .toc``       | ``formats.preflib.read_preflib``        |
| pabulib   | ``.pb``                       | ``formats.pabulib.read_pabulib``        |
| csv       | ``.csv``                      | ``formats.simple.read_csv``             |
| json      | ``.json``                     | ``formats.simple.read_json``            |
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from ..errors import BallotFormatError

READERS: dict[str, tuple[str, str]] = {
    "blt": ("communard.counting.formats.blt", "read_blt"),
    "preflib": ("communard.counting.formats.preflib", "read_preflib"),
    "pabulib": ("communard.counting.formats.pabulib", "read_pabulib"),
    "csv": ("communard.counting.formats.simple", "read_csv"),
    "json": ("communard.counting.formats.simple", "read_json"),
}
FORMATS = ("rctab", *READERS)

EXTENSIONS = {
    ".blt": "blt",
    ".soi": "preflib",
    ".toi": "preflib",
    ".soc": "preflib",
    ".toc": "preflib",
    ".pb": "pabulib",
    ".csv": "csv",
}

# Keys only an RCTab contest config has at its top level.
RCTAB_KEYS = ("cvrFileSources", "outputSettings", "tabulatorVersion", "candidates")


@dataclass
class Ballots:
    """What a file holds: its format, the profile (``None`` for an RCTab config), and its path."""

    format: str
    path: Path
    profile: Any = None
    meta: dict[str, Any] = field(default_factory=dict)


def _head(path: Path, size: int = 4096) -> str:
    try:
        with path.open("rb") as stream:
            return stream.read(size).decode("utf-8", "replace").lstrip("\ufeff")
    except FileNotFoundError:
        raise BallotFormatError(
            "no such file", path=str(path), hint="Check the path of the ballot file."
        ) from None
    except OSError as error:
        raise BallotFormatError(f"cannot be read: {error.strerror}", path=str(path)) from None


def _json_kind(path: Path) -> str:
    head = _head(path, 65536)
    if any(f'"{key}"' in head for key in RCTAB_KEYS[:3]):
        return "rctab"
    if '"ballots"' in head or '"yes"' in head:
        return "json"
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, OSError):
        return "json"  # the JSON reader reports the problem with its line
    if isinstance(data, dict) and any(key in data for key in RCTAB_KEYS):
        return "rctab"
    return "json"


def detect_format(path: str | Path) -> str:
    """Name the format of a ballot file (one of ``FORMATS``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in EXTENSIONS:
        _head(path, 0)
        return EXTENSIONS[suffix]
    if suffix == ".json":
        return _json_kind(path)
    head = _head(path)
    first = next((line.strip() for line in head.splitlines() if line.strip()), "")
    if first.startswith("{"):
        return _json_kind(path)
    if first.startswith("# FILE NAME") or first.startswith("# DATA TYPE"):
        return "preflib"
    if first.upper() == "META":
        return "pabulib"
    parts = first.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return "blt"
    if "," in first:
        return "csv"
    raise BallotFormatError(
        "cannot tell the ballot format from the name or the first line",
        path=str(path),
        hint=f"Give it with --format ({', '.join(FORMATS)}).",
    )


def reader(format: str) -> Any:
    """The reading function of a format, imported now (a clear error if it is missing)."""
    if format not in READERS:
        raise BallotFormatError(
            f"unknown ballot format {format!r}",
            hint=f"Use one of: {', '.join(FORMATS)}.",
        )
    module_name, function_name = READERS[format]
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        raise BallotFormatError(
            f"the reader for {format} files ({module_name}) is not part of this installation",
            hint="Convert the file to the simple CSV or JSON format, or update communard.",
        ) from None
    function = getattr(module, function_name, None)
    if function is None:
        raise BallotFormatError(
            f"the reader for {format} files has no {function_name}() yet",
            hint="Convert the file to the simple CSV or JSON format, or update communard.",
        )
    return function


def read_ballots(
    path: str | Path, format: str | None = None, *, kind: str | None = None
) -> Ballots:
    """Read a ballot file: detect its format unless given, then call that format's reader.

    ``kind`` ("ranked", "approval", "score") tells the simple CSV reader how to
    read numbers under option names; other formats know their ballot kind.
    """
    path = Path(path)
    format = (format or detect_format(path)).lower()
    if format == "rctab":
        if not path.is_file():
            raise BallotFormatError(
                "no such file", path=str(path), hint="Give the RCTab contest config (.json)."
            )
        return Ballots("rctab", path)
    read = reader(format)
    profile = read(path, kind=kind) if format == "csv" else read(path)
    return Ballots(format, path, profile, dict(getattr(profile, "meta", {}) or {}))


def default_method(ballots: Ballots, seats: int | None = None) -> tuple[str, dict[str, Any]]:
    """The method a file calls for when none is named, with the options it sets."""
    from ..profiles import ApprovalProfile, BudgetProfile, ScoreProfile, YesNoProfile

    profile = ballots.profile
    if ballots.format == "rctab":
        return "rctab", {}
    if isinstance(profile, BudgetProfile):
        rule = import_module("communard.counting.formats.pabulib").pabulib_rule
        return rule(dict(profile.meta))  # type: ignore[no-any-return]
    if isinstance(profile, YesNoProfile):
        return "yes-no", {}
    if isinstance(profile, ApprovalProfile):
        return "approval", {}
    if isinstance(profile, ScoreProfile):
        return ("majority-judgment" if profile.scale else "score"), {}
    wanted = seats if seats is not None else int(ballots.meta.get("seats", 1) or 1)
    return ("irv", {}) if wanted == 1 else ("scottish-stv", {})
