"""Meek STV (placeholder)."""
