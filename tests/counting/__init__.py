"""Tests of the counting engine."""
