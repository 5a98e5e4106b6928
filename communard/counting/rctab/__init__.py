"""RCTab (Universal RCV Tabulator 2.0) rules, configs, CVR readers and reports.

- ``config.py``: reads and validates an RCTab contest config (``load_config``).
- ``cvr.py``: reads CVRs into grouped ballots (ES&S, generic CSV, CDF JSON).
- ``vendors.py``: vendor CVR formats (CDF XML, Dominion, Hart, Clear Ballot).
- ``tabulator.py``: the tabulation rules (``tabulate``); ``tiebreaks.py``: its tie-breaks.
- ``results.py``: what a tabulation produces (rounds, decisions, transfers, slices).
- ``report.py``: RCTab's detailed JSON and CSV reports.
- ``javacompat.py``: ``java.util.Random`` and ``HashMap`` iteration order, bit-exact.
"""

from .config import RctabConfig, load_config
from .results import TabulationResult
from .tabulator import tabulate

__all__ = ["RctabConfig", "TabulationResult", "load_config", "tabulate"]
