"""The domain layer: communes, members, charters, motions, votes and journal rules.

Pure (see README.md in this folder): no I/O, no clock, no randomness.
"""
