"""The services layer: named commands, their handlers, queries and sign-in.

See README.md in this folder for the public API and its rule.
"""
