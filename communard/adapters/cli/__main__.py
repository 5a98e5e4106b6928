"""``python -m communard.adapters.cli``: the communard command line."""

from communard.adapters.cli import main

main()
