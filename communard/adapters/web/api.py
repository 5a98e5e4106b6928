"""The JSON API under ``/api``: one operation per command and query id."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api")
