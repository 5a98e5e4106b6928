"""communard.counting: a pure counting engine (see README.md in this folder).

>>> from communard.counting import RankedProfile, count
>>> p = RankedProfile.from_rankings(["A", "B", "C"], [["A", "B"], ["B"], ["C", "B"]],
...                                  weights=[2, 2, 1])
>>> count("irv", p).winners
('B',)
"""

from .errors import (
    BallotFormatError,
    ConfigError,
    CountingError,
    UnknownMethodError,
    UnresolvedTieError,
)
from .outcomes import Number, Outcome, Round, TieBreakRecord
from .profiles import (
    ApprovalProfile,
    BudgetProfile,
    RankedProfile,
    ScoreProfile,
    YesNoProfile,
)
from .registry import MethodInfo, all_methods, count, get, method

__all__ = [
    "ApprovalProfile",
    "BallotFormatError",
    "BudgetProfile",
    "ConfigError",
    "CountingError",
    "MethodInfo",
    "Number",
    "Outcome",
    "RankedProfile",
    "Round",
    "ScoreProfile",
    "TieBreakRecord",
    "UnknownMethodError",
    "UnresolvedTieError",
    "YesNoProfile",
    "all_methods",
    "count",
    "get",
    "method",
]
