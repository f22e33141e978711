"""Reports in flight: which reports are requested ahead, which are reused, and in which order
results reach the streams.

The SDK syncs streams one after another, each partition window by window. Amazon, meanwhile, can
build many reports at once, and createReport allows a burst of 15 before it slows to one a minute.
So the `Scheduler` is given the whole sync's reports up front, in the order the streams will ask for
them (every window of every partition of every selected stream), and keeps up to
`max_reports_in_flight` of them requested ahead, creating one only when the quota has a token free
right now: work done ahead never delays the report a stream is waiting for. Each stream still
receives its own results strictly in window order, so records and STATE stay in order and
bookmarks stay exact.

Before requesting a report the scheduler tries, in order:
1. a report this stream requested for the same window in an earlier sync that stopped before
   reading it (`pending_reports` in the partition's state, written as soon as a report is
   requested, so a killed sync never requests it again), if getReport shows it is that window's;
2. a report this sync already requested for the same request (type, marketplaces, window and
   options): two streams of one report type share it;
3. for report types that take no reportOptions, a report of the same type, marketplaces and window
   found with one getReports call per report type and sync: one still IN_QUEUE or IN_PROGRESS
   (another app of the seller, or an earlier sync, asked for it), or one DONE within
   `report_reuse_max_age_hours` (windowed reports only: a snapshot is read fresh). getReports does
   not show a report's options, so for the types that take options only reports whose options the
   tap knows, those of 1 and 2, are reused.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from tap_amazon_sp.errors import APIError, ReportError
from tap_amazon_sp.quota import many_reports_warning
from tap_amazon_sp.records import format_datetime, parse_datetime
from tap_amazon_sp.reports import ReportEngine, ReportRequest, ReportResult

SNAPSHOT = "snapshot"


def window_key(request: ReportRequest) -> str:
    """How a report's window is named in state: `start/end` in UTC ISO form, or `snapshot`."""
    if request.start is None or request.end is None:
        return SNAPSHOT
    return f"{format_datetime(request.start)}/{format_datetime(request.end)}"


# Statuses of a report Amazon is still building: one of them may be adopted instead of asking again.
PENDING = ("IN_QUEUE", "IN_PROGRESS")


def request_key(request: ReportRequest) -> tuple[str, ...]:
    """What makes two requests ask Amazon for the same report."""
    return (request.report_type, ",".join(sorted(request.marketplace_ids)), window_key(request), options_key(request))


def options_key(request: ReportRequest) -> str:
    """The report options as a stable string, so a changed option never reuses an old report."""
    return json.dumps(dict(request.options), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Slot:
    """One report a stream partition will ask for."""

    stream: str
    partition: str  # the marketplace id
    request: ReportRequest
    listable: bool = False  # may be served by a report found with getReports (no options can filter it)

    @property
    def key(self) -> str:
        return window_key(self.request)

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return (self.stream, self.partition, self.key, options_key(self.request))


@dataclass
class Ticket:
    """A report that will serve a slot."""

    report_id: str
    created: float  # on the scheduler's clock, as best known
    source: str  # "created", "pending" (from state) or "listed" (found with getReports)


class Ledger(Protocol):
    """Where a stream keeps the reports it requested but has not read yet (its state)."""

    def recall(self, slot: Slot) -> dict[str, Any] | None:
        """The remembered report of this slot's window, if any."""

    def remember(self, slot: Slot, report_id: str, created_at: datetime) -> None:
        """Remember a report for this slot's window, and say so in a STATE message."""

    def forget(self, slot: Slot) -> None:
        """Drop this slot's report from state (it was read, or can no longer be used)."""


class Scheduler:
    """Keeps the reports of one sync in flight, bounded by `limit`, and hands them out in order."""

    def __init__(
        self,
        engine: ReportEngine,
        *,
        limit: int,
        reuse_max_age: timedelta,
        marketplace_ids: tuple[str, ...],
        logger: logging.Logger,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.engine = engine
        self.limit = max(1, limit)
        self.reuse_max_age = reuse_max_age
        self.marketplace_ids = marketplace_ids
        self.logger = logger
        self.now = now
        self.planned = False
        self._queue: deque[Slot] = deque()
        self._owners: dict[str, Ledger] = {}
        self._tickets: dict[tuple[str, str, str, str], Ticket] = {}
        self._consuming = 0
        self._listings: dict[str, list[dict[str, Any]]] = {}
        # The reports this sync requested or adopted, by request: options known, so shareable.
        self._made: dict[tuple[str, ...], Ticket] = {}
        self._closed: set[tuple[str, str]] = set()

    # Planning

    def plan(self, slots: Iterable[tuple[Ledger, Slot]]) -> None:
        """Learn every report of the sync, in the order streams will ask for them."""
        self.planned = True
        for owner, slot in slots:
            self._owners[slot.stream] = owner
            self._queue.append(slot)
        warning = many_reports_warning(self._queue)
        if warning:
            self.logger.warning("%s", warning)

    @property
    def in_flight(self) -> int:
        """Reports requested (or adopted) and not yet read."""
        return len(self._tickets) + self._consuming

    # Consuming

    def results(self, owner: Ledger, slots: list[Slot]) -> Iterator[ReportResult]:
        """The results of one stream partition's `slots`, strictly in their order.

        The caller forgets a slot's pending report once it has emitted the result (with the
        bookmark, in the same STATE); this generator only tracks what is in flight.
        """
        for slot in slots:
            self._owners[slot.stream] = owner
        try:
            for slot in slots:
                ticket = self._tickets.pop(slot.ident, None)
                self._consuming = 1
                if ticket is None:
                    self._drop_queued(slot)
                    ticket = self._obtain(slot, block=True)
                    assert ticket is not None
                self._fill()
                result = self._finish(owner, slot, ticket)
                yield result
                self._consuming = 0
                self._fill()
        finally:
            self._consuming = 0
            self._close(slots)

    def _finish(self, owner: Ledger, slot: Slot, ticket: Ticket) -> ReportResult:
        def recreated(report_id: str) -> None:
            owner.remember(slot, report_id, self.now())

        def abandon(_report_id: str) -> None:
            owner.forget(slot)

        try:
            return self.engine.finish(
                slot.request, ticket.report_id, ticket.created, idle=self._fill, recreated=recreated, abandon=abandon
            )
        except ReportError:
            # A report that failed for good must not be adopted by the next sync.
            owner.forget(slot)
            raise

    def _close(self, slots: list[Slot]) -> None:
        # A partition that stopped early (an error, the SDK's record limit) no longer holds its
        # reports in flight for this sync; its state still names them for the next one.
        for partition in {(s.stream, s.partition) for s in slots}:
            self._closed.add(partition)
        for ident in [i for i in self._tickets if (i[0], i[1]) in self._closed]:
            del self._tickets[ident]
        self._queue = deque(s for s in self._queue if (s.stream, s.partition) not in self._closed)

    def _drop_queued(self, slot: Slot) -> None:
        if slot in self._queue:
            self._queue.remove(slot)

    # Requesting ahead

    def _fill(self) -> None:
        """Request (or adopt) reports ahead while the limit and the quota allow, never waiting."""
        while self._queue and self.in_flight < self.limit:
            slot = self._queue[0]
            if slot.ident in self._tickets or (slot.stream, slot.partition) in self._closed:
                self._queue.popleft()
                continue
            ticket = self._obtain(slot, block=False)
            if ticket is None:
                return
            self._queue.popleft()
            self._tickets[slot.ident] = ticket

    def _obtain(self, slot: Slot, *, block: bool) -> Ticket | None:
        """A report for `slot`: remembered, listed or newly created; None if only waiting would give one."""
        owner = self._owners[slot.stream]
        ticket = self._adopt(owner, slot) or self._shared(owner, slot)
        if ticket is None and slot.listable:
            ticket = self._listed(owner, slot)
        if ticket is None:
            report_id = self.engine.create(slot.request, wait=block)
            if report_id is None:
                return None
            owner.remember(slot, report_id, self.now())
            ticket = Ticket(report_id, self.engine.clock(), "created")
        self._made.setdefault(request_key(slot.request), ticket)
        return ticket

    def _shared(self, owner: Ledger, slot: Slot) -> Ticket | None:
        """The report this sync already has for the same request (another stream of the type)."""
        made = self._made.get(request_key(slot.request))
        if made is None:
            return None
        owner.remember(slot, made.report_id, self.now())
        self.logger.info("%s: sharing report %s with another stream", slot.request.describe(), made.report_id)
        return Ticket(made.report_id, made.created, "shared")

    def _adopt(self, owner: Ledger, slot: Slot) -> Ticket | None:
        remembered = owner.recall(slot)
        if not remembered:
            return None
        report_id = str(remembered.get("report_id") or "")
        created_at = _when(remembered.get("created"))
        age = self.now() - created_at if created_at else None
        if not report_id or remembered.get("options") != options_key(slot.request):
            owner.forget(slot)
            return None
        if slot.key == SNAPSHOT and (age is None or age > self.reuse_max_age):
            # A snapshot is only as good as it is fresh.
            owner.forget(slot)
            return None
        try:
            report = self.engine.client.call("getReport", path_params={"reportId": report_id})
        except APIError as exc:
            # Gone (Amazon keeps reports 90 days) or unknown: request it afresh.
            self.logger.info("%s: remembered report %s is not available (%s)", slot.request.describe(), report_id, exc)
            owner.forget(slot)
            return None
        differences = _differences(report, slot.request)
        if differences:
            # A hand-edited or copied state, or one of another config: its rows are not this window's.
            self.logger.warning(
                "%s %s %s: report %s in state is not this window's report (%s); requesting the window anew",
                slot.stream, slot.partition, _window_text(slot.request), report_id, "; ".join(differences),
            )
            owner.forget(slot)
            return None
        self.logger.info(
            "%s: reusing report %s (%s) requested by an earlier sync",
            slot.request.describe(), report_id, report.get("processingStatus"),
        )
        return Ticket(report_id, self.engine.clock() - (age.total_seconds() if age else 0.0), "pending")

    def _listed(self, owner: Ledger, slot: Slot) -> Ticket | None:
        if self.reuse_max_age <= timedelta(0):
            return None
        request = slot.request
        listing = self._listings.get(request.report_type)
        if listing is None:
            since = self.now() - self.reuse_max_age
            found = self.engine.list_recent(request.report_type, self.marketplace_ids, since)
            if found is None:
                return None  # no getReports quota now; a later slot of this type tries again
            listing = self._listings[request.report_type] = found
        for report in listing:
            status = report.get("processingStatus")
            if status in PENDING:
                what = f"{status} report {report.get('reportId')}, requested by another app or an earlier sync,"
            elif status == "DONE" and report.get("reportDocumentId") and request.start is not None:
                what = f"DONE report {report.get('reportId')}"
            else:
                continue
            if _differences(report, request):
                continue
            listing.remove(report)
            report_id = str(report["reportId"])
            created_at = _when(report.get("createdTime")) or self.now()
            owner.remember(slot, report_id, created_at)
            self.logger.info("%s: reusing the %s created %s", request.describe(), what, format_datetime(created_at))
            age = max(0.0, (self.now() - created_at).total_seconds())
            return Ticket(report_id, self.engine.clock() - age, "listed")
        return None


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return parse_datetime(str(value))
    except (ValueError, OverflowError):
        return None


def _differences(report: dict[str, Any], request: ReportRequest) -> list[str]:
    """How a report Amazon describes differs from what `request` asks for (type, marketplaces, window)."""
    found = []
    report_type = str(report.get("reportType") or "")
    if report_type != request.report_type:
        found.append(f"its type is {report_type or 'unknown'}, not {request.report_type}")
    markets = sorted(str(m) for m in report.get("marketplaceIds") or [])
    wanted = sorted(request.marketplace_ids)
    if markets != wanted:
        found.append(f"its marketplaces are {','.join(markets) or 'unknown'}, not {','.join(wanted)}")
    if request.start is not None and request.end is not None and not _same_span(report, request):
        start, end = report.get("dataStartTime") or "?", report.get("dataEndTime") or "?"
        found.append(f"its window is {start}..{end}, not {_window_text(request)}")
    return found


def _same_span(report: dict[str, Any], request: ReportRequest) -> bool:
    """Whether the report's data window is the one the request sent (to the second; whole-day
    windows to the day, as Amazon may echo such a window's dates either way)."""
    assert request.start is not None and request.end is not None
    start, end = _when(report.get("dataStartTime")), _when(report.get("dataEndTime"))
    if start is None or end is None:
        return False
    if request.end_inclusive:
        last = request.end - timedelta(seconds=1)
        day = lambda moment: moment.astimezone(timezone.utc).date()  # noqa: E731
        return day(start) == day(request.start) and day(end) == day(last)
    second = timedelta(seconds=1)
    return abs(start - request.start) < second and abs(end - request.end) < second


def _window_text(request: ReportRequest) -> str:
    if request.start is None or request.end is None:
        return "snapshot"
    return f"{format_datetime(request.start)}..{format_datetime(request.end)}"
