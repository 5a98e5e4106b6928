"""System tests: real processes, real databases, a real browser."""
