"""Page tokens and time bounds shared by the simulator's REST (non-report) operations.

A token remembers the request it continues (its fingerprint: the parameters that must not change
between pages), where the next page starts, and when it was issued, so it can expire the way
Amazon's do (getInventorySummaries after 30 seconds) or on demand (fault ``expire_page_token``).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .faults import Faults
from .reports import ApiError
from .validation import parse_datetime

__all__ = ["Pager", "Query", "check_before_bounds", "page_slice"]

Query = Mapping[str, list[str]]
# Orders and Finances refuse a *Before bound later than this before the request.
NEWEST_BOUND_AGE = timedelta(minutes=2)


def first(query: Query, name: str) -> str | None:
    """The single value of a query parameter, or None."""
    values = query.get(name)
    return values[0] if values else None


def when(query: Query, name: str) -> datetime | None:
    raw = first(query, name)
    return parse_datetime(raw) if raw else None


def check_before_bounds(query: Query, names: Sequence[str]) -> None:
    """400 InvalidInput (and a violation) for a bound later than two minutes before now, as Amazon."""
    latest = datetime.now(timezone.utc) - NEWEST_BOUND_AGE
    for name in names:
        value = when(query, name)
        if value is not None and value > latest:
            raise ApiError(
                400,
                "InvalidInput",
                f"{name} must be at least two minutes before the time of the request.",
                violation=True,
            )


def page_slice(items: Sequence[Any], offset: int, size: int) -> tuple[list[Any], int | None]:
    """One page of `items` from `offset`, and where the next starts (None after the last)."""
    chunk = list(items[offset : offset + size])
    after = offset + size
    return chunk, (after if after < len(items) else None)


@dataclass(frozen=True)
class _Token:
    operation: str
    fingerprint: str
    offset: int
    issued: float
    empty: bool  # this token's page is an empty one, as Amazon sometimes sends mid-stream


class Pager:
    """The page tokens one simulator has issued."""

    def __init__(self, faults: Faults) -> None:
        self._faults = faults
        self._lock = threading.Lock()
        self._tokens: dict[str, _Token] = {}

    def issue(self, operation: str, fingerprint: str, offset: int, *, empty: bool = False) -> str:
        token = uuid.uuid4().hex
        with self._lock:
            self._tokens[token] = _Token(operation, fingerprint, offset, time.monotonic(), empty)
        return token

    def redeem(self, operation: str, token: str, fingerprint: str, ttl: float | None) -> tuple[int, bool]:
        """Where the page of `token` starts and whether it is an empty one; 400 when it expired."""
        with self._lock:
            found = self._tokens.get(token)
        if found is None or found.operation != operation:
            raise ApiError(400, "InvalidInput", "Invalid pagination token.", violation=True)
        if found.fingerprint != fingerprint:
            raise ApiError(400, "InvalidInput", "The request changed its parameters between pages.", violation=True)
        expired = ttl is not None and time.monotonic() - found.issued > ttl
        if expired or self._faults.take("expire_page_token", operation):
            raise ApiError(400, "InvalidInput", "The pagination token has expired.")
        return found.offset, found.empty


def fingerprint(query: Query, ignore: Sequence[str]) -> str:
    """The parameters that must stay the same from page to page, as one string."""
    return "&".join(f"{k}={','.join(v)}" for k, v in sorted(query.items()) if k not in ignore)
