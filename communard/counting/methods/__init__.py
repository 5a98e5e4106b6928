"""Counting methods; importing this package registers them all.

Each module registers its methods with ``@method`` from ``..registry``.
"""

from importlib import import_module

_MODULES = (
    "yesno",
    "single",
    "borda",
    "condorcet",
    "irv",
    "stv",
    "committees",
    "budgets",
)

for _name in _MODULES:
    try:
        import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as error:  # a module not written yet
        if error.name != f"{__name__}.{_name}":
            raise
