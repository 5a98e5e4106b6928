"""The JSON API's reference for people, at ``/api``: every operation, read from ``/openapi.json``.

The interactive documentation pages of FastAPI load scripts from a CDN, which
the Content-Security-Policy forbids; this page needs none.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from communard.adapters.web.pages.rendering import render

router = APIRouter()


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The API's operations: queries (GET) first, then commands (POST), each by its id."""
    rows = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            ok = op["responses"].get("200", {}).get("content", {}).get("application/json", {})
            schema = ok.get("schema", {})
            ref = schema.get("$ref") or schema.get("items", {}).get("$ref") or ""
            answer = ref.rsplit("/", 1)[-1]
            rows.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": (op.get("description") or op.get("summary") or "").split("\n")[0],
                    "answer": f"[{answer}]" if "items" in schema else answer,
                }
            )
    return sorted(rows, key=lambda r: (r["method"] != "GET", r["id"]))


@router.get("/api")
def reference(request: Request) -> Response:
    """Every operation of the JSON API, with its method, path and answer's shape."""
    spec = request.app.openapi()
    return render(request, "api.html", operations=operations(spec))
