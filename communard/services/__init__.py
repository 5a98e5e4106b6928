"""services layer (see README.md in this folder)."""
