"""Readers and writers of ballot files: the only I/O in the counting engine."""
