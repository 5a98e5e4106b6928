"""The one table from the services' error classes to the CLI's exit codes.

Scripts can tell failures apart by the exit status alone; the message and the
hint go to stderr (or, with ``--json``, a JSON object with ``code``,
``message``, ``hint`` and ``details``). The most specific class wins: the
table is searched along the error's method resolution order.
"""

from __future__ import annotations

from communard import errors

OK = 0
# Any error of the services not listed below more precisely.
ERROR = 1
# click's own code for a bad command line (unknown option, missing argument).
USAGE = 2
INVALID_INPUT = 3
CHARTER = 4
NOT_FOUND = 5
FORBIDDEN = 6
CONFLICT = 7
OUT_OF_STATE = 8
UNAUTHENTICATED = 9
RATE_LIMITED = 10
# ``journal verify`` found a broken chain.
JOURNAL_BROKEN = 11
# The database could not be reached or is not a communard database.
DATABASE = 12

EXIT_CODE_BY_ERROR: dict[type[BaseException], int] = {
    errors.CommunardError: ERROR,
    errors.InvalidInput: INVALID_INPUT,
    errors.CharterError: CHARTER,
    errors.NotFound: NOT_FOUND,
    errors.Forbidden: FORBIDDEN,
    errors.Conflict: CONFLICT,
    errors.StateError: OUT_OF_STATE,
    errors.Unauthenticated: UNAUTHENTICATED,
    errors.RateLimited: RATE_LIMITED,
}

DESCRIPTIONS: dict[int, str] = {
    OK: "success",
    ERROR: "an error of the services not listed below",
    USAGE: "bad command line (unknown option, missing argument)",
    INVALID_INPUT: "invalid input: a value is wrong (the message names the field and the fix)",
    CHARTER: "the charter document is invalid (the message names the field and the fix)",
    NOT_FOUND: "no such commune, member, motion or record (or not visible to you)",
    FORBIDDEN: "the acting member may see it but may not do that",
    CONFLICT: "it clashes with what is already recorded (a duplicate, a taken name)",
    OUT_OF_STATE: "the action does not fit the current state (a closed vote, a withdrawn motion)",
    UNAUTHENTICATED: "unknown member, wrong password, or the member may no longer act",
    RATE_LIMITED: "too many attempts; wait and retry",
    JOURNAL_BROKEN: "the journal's hash chain is broken",
    DATABASE: "the database cannot be reached or is not a communard database",
}


def exit_code_for(error: BaseException) -> int:
    """The exit code for an error of the services (``ERROR`` when its class is not listed)."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODE_BY_ERROR:
            return EXIT_CODE_BY_ERROR[cls]
    return ERROR
