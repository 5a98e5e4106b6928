"""communard: software with which a community governs itself.

Layers, from the top: ``adapters`` (web, CLI, storage) → ``services`` (named
commands) → ``domain`` (pure rules) → ``counting`` (the counting engine).
``bootstrap`` is the one composition root.
"""

__version__ = "0.1.0"
