"""What a sync says while Amazon works, and the summary it ends with.

A report can take an hour: the seller should see each report requested, a heartbeat while one is
awaited, and at the end one block of what the sync did. `SyncProgress` is told what happens by the
scheduler, the report engine, the HTTP client and the streams (a call each), keeps the counts, and
decides what is logged. `acting_for` names the stream on whose behalf requests are made, so that
retry lines and request metrics can say it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from tap_amazon_sp.records import format_datetime

_ACTING: ContextVar[str | None] = ContextVar("tap_amazon_sp_acting_for", default=None)
HEARTBEAT_SECONDS = 60.0
# How a reused report came to serve a window (inflight.Ticket.source), as the summary counts them.
REUSED_SOURCES = frozenset({"pending", "listed", "shared"})


@contextmanager
def acting_for(stream: str) -> Iterator[None]:
    """Requests made inside are made for `stream`."""
    token = _ACTING.set(stream)
    try:
        yield
    finally:
        _ACTING.reset(token)


def acting() -> str | None:
    """The stream requests are made for now, if one is known."""
    return _ACTING.get()


def prefixed(text: str) -> str:
    """`text` with the stream it concerns in front, when one is known."""
    stream = acting()
    return f"{stream}: {text}" if stream else text


def named(description: str, report_type: str, stream: str | None = None) -> str:
    """A report's description (`TYPE [markets] window`) with its stream in front when the stream is
    not named after the report type (`..._AGGREGATE`, settlements)."""
    stream = stream or acting()
    return f"{stream}: {description}" if stream and stream != report_type else description


def where(stream: str | None, request: Any) -> str:
    """`STREAM MARKETPLACES WINDOW` of a report request, as the per-window lines name a window."""
    window = "snapshot"
    if request.start is not None and request.end is not None:
        window = f"{format_datetime(request.start)}..{format_datetime(request.end)}"
    return f"{stream or acting() or request.report_type} {','.join(request.marketplace_ids)} {window}"


def duration(seconds: float) -> str:
    """`4.2 s`, `45 s`, `3 min 5 s`, `12 min`, `1 h 25 min` (hours to the nearest minute)."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        minutes, secs = divmod(round(seconds), 60)
        if not minutes:
            return f"{secs} s"
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@dataclass
class StreamCounts:
    """What one stream's sync did with reports and windows."""

    windows: int = 0
    requested: int = 0
    reused: int = 0
    cancelled: int = 0
    fatal: int = 0
    reports: bool = False  # whether it is read from reports at all


class SyncProgress:
    """The counts of one sync and the lines that tell them."""

    def __init__(
        self,
        logger: logging.Logger,
        *,
        heartbeat: float = HEARTBEAT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.logger = logger
        self.heartbeat = heartbeat
        self.clock = clock
        self.wall = wall
        # The sync's plan (how many reports, and when it was made), once the scheduler has made it;
        # how many of its reports have been read; and the quota still needed (set with the plan).
        self.plan: tuple[int, float] | None = None
        self.reports_read = 0
        self.quota_left: Callable[[], float] = lambda: 0.0
        self.started = clock()
        self.streams: dict[str, StreamCounts] = {}
        self.requests: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        # How many reports are in flight; the scheduler that knows it sets this.
        self.in_flight: Callable[[], int] = lambda: 0
        self._beats: dict[str, float] = {}

    def _counts(self, stream: str) -> StreamCounts:
        return self.streams.setdefault(stream, StreamCounts())

    # Reports

    def planned(self, reports: int, quota_left: Callable[[], float]) -> None:
        """The sync will read `reports` reports; `quota_left` says how many seconds of createReport
        quota the ones not yet requested need, at the rate Amazon applies."""
        if reports:
            self.plan = (reports, self.clock())
            self.quota_left = quota_left

    def report_read(self) -> str:
        """`report k of N, ETA ...` for the line of a report just read: the pace so far carried over to
        the reports left, never sooner than the quota lets the last be requested."""
        if self.plan is None:
            return ""
        total, began = self.plan
        self.reports_read += 1
        done = self.reports_read
        total = max(total, done)  # a report the plan did not know of (never expected) still counts
        if done == total:
            return f"report {done} of {total}, the last"
        elapsed = self.clock() - began
        left = max(self.quota_left(), elapsed / done * (total - done))
        return f"report {done} of {total}, ETA {utc_text(self.wall() + timedelta(seconds=left))} (in {duration(left)})"

    def requested(self, stream: str, where: str, report_id: str, in_flight: int) -> None:
        counts = self._counts(stream)
        counts.reports = True
        counts.requested += 1
        self.logger.info("%s: requested report %s (%d in flight)", where, report_id, in_flight)

    def reused(self, stream: str, source: str) -> None:
        counts = self._counts(stream)
        counts.reports = True
        if source in REUSED_SOURCES:
            counts.reused += 1

    def ended(self, stream: str, status: str) -> None:
        """A report of the stream ended CANCELLED or FATAL."""
        counts = self._counts(stream)
        counts.reports = True
        if status == "CANCELLED":
            counts.cancelled += 1
        elif status == "FATAL":
            counts.fatal += 1

    def waiting(self, where: str, report_id: str, status: str, waited: float, *, what: str = "report") -> None:
        """A poll found the report (or Data Kiosk query: `what`) still processing: say so once per heartbeat."""
        now = self.clock()
        last = self._beats.setdefault(report_id, now)
        if now - last < self.heartbeat:
            return
        self._beats[report_id] = now
        self.logger.info(
            "%s: %s %s %s, waited %s; %d reports in flight",
            where,
            what,
            report_id,
            status,
            duration(waited),
            self.in_flight(),
        )

    def done_waiting(self, report_id: str) -> None:
        self._beats.pop(report_id, None)

    # Windows and requests

    def window(self, stream: str) -> None:
        """One window (or snapshot) of the stream was emitted whole."""
        self._counts(stream).windows += 1

    def request(self, operation: str, status: int | None) -> None:
        self.requests[operation] += 1
        if status == 429:
            self.throttled[operation] += 1

    # The end

    def summary(self, records: Mapping[str, int], token_requests: int, wall: float) -> list[str]:
        """The summary block: a line per stream synced, then requests and 429s per operation."""
        lines = [f"Sync summary: {count(len(records), 'stream')} in {duration(wall)}"]
        for stream, emitted in records.items():
            counts = self.streams.get(stream, StreamCounts())
            line = f"  {stream}: {count(emitted, 'record')}, {count(counts.windows, 'window')}"
            if counts.reports:
                line += (
                    f"; reports {counts.requested} requested, {counts.reused} reused, {counts.cancelled} "
                    f"cancelled, {counts.fatal} FATAL"
                )
            lines.append(line)
        calls = ", ".join(
            f"{operation} {number}"
            + (f" ({self.throttled[operation]} answered 429)" if self.throttled[operation] else "")
            for operation, number in sorted(self.requests.items())
        )
        throttled = sum(self.throttled.values())
        lines.append(
            f"  requests: {calls or 'none'}; {throttled} answered 429 (throttled); "
            f"{count(token_requests, 'Login with Amazon token request')}"
        )
        return lines

    def log_summary(self, records: Mapping[str, int], token_requests: int, wall: float) -> None:
        for line in self.summary(records, token_requests, wall):
            self.logger.info("%s", line)


def utc_text(moment: datetime) -> str:
    """`2026-12-04 03:10:00 UTC`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def count(number: int, noun: str) -> str:
    """`1 window`, `3 windows`."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def tags(operation: str, endpoint: str, status: int | None) -> dict[str, Any]:
    """The tags of one request's `http_request_duration` metric, as the SDK's own requests have them."""
    return {
        "stream": acting(),
        "endpoint": endpoint,
        "operation": operation,
        "http_status_code": status,
        "status": "succeeded" if status is not None and status < 400 else "failed",
    }
