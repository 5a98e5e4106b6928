"""Adapters: the web (pages and JSON API), the command line, storage."""
