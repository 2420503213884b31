"""Pages of list endpoints: ``?limit=`` and an opaque ``next`` cursor.

Every list endpoint answers ``{"items": [...], "next": "<cursor>" | null}``. A cursor is the
position after the last item, as URL-safe base64 of JSON, so a client treats it as opaque and
a page is found by an index seek, never by an offset (an offset scans every skipped row).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "bad_request", "decode_cursor", "encode_cursor",
           "limit_of", "not_found", "page", "page_of_sorted", "query_number"]

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def limit_of(request: web.Request) -> int:
    """The page size asked for: ``?limit=`` (1..500, default 50)."""
    raw = request.query.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise bad_request(f"limit must be a whole number from 1 to {MAX_LIMIT}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return limit


def encode_cursor(position: Any) -> str:
    """An opaque cursor for `position` (any JSON value)."""
    text = json.dumps(position, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(request: web.Request, name: str = "next") -> Any:
    """The position of ``?next=``, or None on the first page."""
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad_request(f"{name} is not a cursor this server handed out") from None


def page(items: list[Any], next_position: Any | None) -> dict[str, Any]:
    """The answer of a list endpoint."""
    return {"items": items,
            "next": encode_cursor(next_position) if next_position is not None else None}


def page_of_sorted(
    request: web.Request, items: list[T], key: Callable[[T], str]
) -> tuple[list[T], str | None]:
    """One page of a list sorted by `key` (names, ARNs, ids): the items after the cursor's
    key, and the position of the next page (the last key shown), None on the last page."""
    after = decode_cursor(request)
    if isinstance(after, str):
        items = [item for item in items if key(item) > after]
    limit = limit_of(request)
    chosen = items[:limit]
    return chosen, key(chosen[-1]) if len(items) > limit else None


def query_number(request: web.Request, name: str) -> float | None:
    """A numeric query parameter, or None when absent."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError:
        raise bad_request(f"{name} must be a number") from None


def bad_request(message: str) -> web.HTTPBadRequest:
    """A 400 answer with a JSON body ``{"error": ..., "message": ...}``."""
    return web.HTTPBadRequest(text=json.dumps({"error": "BadRequest", "message": message}),
                              content_type="application/json")


def not_found(message: str) -> web.HTTPNotFound:
    """A 404 answer with a JSON body."""
    return web.HTTPNotFound(text=json.dumps({"error": "NotFound", "message": message}),
                            content_type="application/json")
