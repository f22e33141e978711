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

A report that ends FATAL (or, for an FBA type, CANCELLED too soon after another report of its window)
makes its report type and marketplaces rest for their cool-down: no report of them is requested
before it has passed, the slot's partition stops with `CoolingDown`, and the stream takes it up
again at the end of the sync (`client.Runtime.take_up_deferred`) while the other reports go on.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

from tap_amazon_sp.errors import APIError, ReportError
from tap_amazon_sp.progress import acting_for, named, where
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
        fatal_retries: int = 2,
        cooldown: Callable[[str], tuple[float, str | None]] = lambda _type: (60.0, None),
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.engine = engine
        self.fatal_retries = fatal_retries
        # A report type's cool-down after a FATAL, in seconds, and its regeneration class (if any).
        self.cooldown = cooldown
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
        # (report type, marketplaces) -> when Amazon may generate it again, and why it rests.
        self._cooling: dict[tuple[str, str], tuple[datetime, str]] = {}
        self._attempts: dict[tuple[str, str, str, str], int] = {}
        engine.client.progress.in_flight = lambda: self.in_flight

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
        # A partition taken up again after a cool-down (see CoolingDown) is open again.
        self._closed -= {(s.stream, s.partition) for s in slots}
        try:
            for slot in slots:
                self._hold(slot)
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

    def cooling_until(self, slot: Slot) -> tuple[datetime, str] | None:
        """When the slot's report type and marketplaces may be requested again, if they rest now."""
        found = self._cooling.get(_cooling_key(slot.request))
        if found is None or found[0] <= self.now():
            return None
        return found

    def _hold(self, slot: Slot) -> None:
        cooling = self.cooling_until(slot)
        if cooling is not None:
            raise CoolingDown(slot, *cooling)

    def _finish(self, owner: Ledger, slot: Slot, ticket: Ticket) -> ReportResult:
        def abandon(_report_id: str) -> None:
            owner.forget(slot)

        try:
            with acting_for(slot.stream):
                result = self.engine.finish(
                    slot.request, ticket.report_id, ticket.created, idle=self._fill, abandon=abandon
                )
        except ReportError:
            # A report that failed for good must not be adopted by the next sync.
            owner.forget(slot)
            raise
        self.engine.client.progress.ended(slot.stream, result.status)
        if result.status == "FATAL":
            self._rest(owner, slot, result, "ended FATAL", self.engine.fatal_reason(result))
        elif result.status == "CANCELLED":
            earlier = self._generated_before(slot, result)
            if earlier is not None:
                self._rest(
                    owner,
                    slot,
                    result,
                    "ended CANCELLED",
                    f"Amazon generated report {earlier[0]} of this "
                    f"window {format_datetime(earlier[1])}: too soon to generate another",
                    since=earlier[1],
                )
        result.attempts = self._attempts.get(slot.ident, 0) + 1
        return result

    def _rest(
        self, owner: Ledger, slot: Slot, result: ReportResult, what: str, reason: str, since: datetime | None = None
    ) -> None:
        """A report Amazon would not build: rest its type and marketplaces, then raise CoolingDown
        (or FatalReport once the retries are used up)."""
        request = slot.request
        owner.forget(slot)
        key = request_key(request)
        if (made := self._made.get(key)) is not None and made.report_id == result.report_id:
            del self._made[key]
        attempts = self._attempts[slot.ident] = self._attempts.get(slot.ident, 0) + 1
        where = named(request.describe(), request.report_type, slot.stream)
        if attempts > self.fatal_retries:
            raise FatalReport(
                f"{where}: report {result.report_id} {what} {attempts} times; giving up. Amazon said: {reason}"
            )
        seconds, kind = self.cooldown(request.report_type)
        ready = (since or self.now()) + timedelta(seconds=seconds)
        limit = (
            f"Amazon generates a {kind} report at most once every {_duration(seconds)}"
            if kind
            else (f"resting it {_duration(seconds)} (fatal_retry_cooldown_seconds)")
        )
        cooling = _cooling_key(request)
        previous = self._cooling.get(cooling)
        if previous is None or previous[0] < ready:
            self._cooling[cooling] = (ready, limit)
        self.logger.warning(
            "%s: report %s %s (%s); %s, so it is requested again from %s UTC (retry %d of %d) while the other "
            "reports of the sync go on",
            where,
            result.report_id,
            what,
            reason,
            limit,
            _utc(ready),
            attempts,
            self.fatal_retries,
        )
        raise CoolingDown(slot, *self._cooling[cooling])

    def _generated_before(self, slot: Slot, result: ReportResult) -> tuple[str, datetime] | None:
        """Another report of this request Amazon built (or is building) less than a cool-down before
        `result` was created: a CANCELLED that came too soon. Only FBA reports have such limits."""
        seconds, kind = self.cooldown(slot.request.report_type)
        created = result.created_at
        if kind is None or created is None:
            return None
        for report in self._listings.get(slot.request.report_type) or ():
            when = _when(report.get("createdTime"))
            if (
                str(report.get("reportId")) != result.report_id
                and report.get("processingStatus") in ("DONE", *PENDING)
                and when is not None
                and created - timedelta(seconds=seconds) < when <= created
                and not _differences(report, slot.request)
            ):
                return str(report["reportId"]), when
        return None

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
        """Request (or adopt) reports ahead while the limit and the quota allow, never waiting; none
        of a report type and marketplaces that rest after a FATAL."""
        for slot in list(self._queue):
            if self.in_flight >= self.limit:
                return
            if slot.ident in self._tickets or (slot.stream, slot.partition) in self._closed:
                self._queue.remove(slot)
                continue
            if self.cooling_until(slot) is not None:
                continue
            ticket = self._obtain(slot, block=False)
            if ticket is None:
                return
            self._queue.remove(slot)
            self._tickets[slot.ident] = ticket

    def _obtain(self, slot: Slot, *, block: bool) -> Ticket | None:
        """A report for `slot`: remembered, listed or newly created; None if only waiting would give one."""
        with acting_for(slot.stream):
            ticket = self._obtain_for(slot, block=block)
        progress = self.engine.client.progress
        if ticket is not None and ticket.source == "created":
            # The report being waited for (block) is already counted in flight; one requested ahead is not yet.
            in_flight = self.in_flight + (0 if block else 1)
            progress.requested(slot.stream, where(slot.stream, slot.request), ticket.report_id, in_flight)
        elif ticket is not None:
            progress.reused(slot.stream, ticket.source)
        return ticket

    def _obtain_for(self, slot: Slot, *, block: bool) -> Ticket | None:
        owner = self._owners[slot.stream]
        ticket = self._adopt(owner, slot) or self._shared(owner, slot)
        if ticket is None and slot.listable:
            ticket = self._listed(owner, slot)
        elif ticket is None and self.cooldown(slot.request.report_type)[1] is not None:
            # Not reused (its options may differ), but it tells a CANCELLED that came too soon.
            self._listing(slot.request.report_type)
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
                slot.stream,
                slot.partition,
                window_text(slot.request),
                report_id,
                "; ".join(differences),
            )
            owner.forget(slot)
            return None
        self.logger.info(
            "%s: reusing report %s (%s) requested by an earlier sync",
            slot.request.describe(),
            report_id,
            report.get("processingStatus"),
        )
        return Ticket(report_id, self.engine.clock() - (age.total_seconds() if age else 0.0), "pending")

    def _listing(self, report_type: str) -> list[dict[str, Any]] | None:
        """This sync's one listing of a report type; None while getReports has no quota free (a
        later slot of the type tries again) or when listing reuse is off."""
        if self.reuse_max_age <= timedelta(0):
            return None
        listing = self._listings.get(report_type)
        if listing is None:
            since = self.now() - self.reuse_max_age
            found = self.engine.list_recent(report_type, self.marketplace_ids, since)
            if found is None:
                return None
            listing = self._listings[report_type] = found
        return listing

    def _listed(self, owner: Ledger, slot: Slot) -> Ticket | None:
        request = slot.request
        listing = self._listing(request.report_type)
        for report in listing or ():
            status = report.get("processingStatus")
            if status in PENDING:
                what = f"{status} report {report.get('reportId')}, requested by another app or an earlier sync,"
            elif status == "DONE" and report.get("reportDocumentId") and request.start is not None:
                what = f"DONE report {report.get('reportId')}"
            else:
                continue
            if report.get("_taken") or _differences(report, request):
                continue
            report["_taken"] = True
            report_id = str(report["reportId"])
            created_at = _when(report.get("createdTime")) or self.now()
            owner.remember(slot, report_id, created_at)
            self.logger.info("%s: reusing the %s created %s", request.describe(), what, format_datetime(created_at))
            age = max(0.0, (self.now() - created_at).total_seconds())
            return Ticket(report_id, self.engine.clock() - age, "listed")
        return None


class CoolingDown(Exception):
    """A slot's report type and marketplaces rest until `ready` after a FATAL (or a CANCELLED that
    came too soon): its partition stops at `slot` and is taken up again later in the sync."""

    def __init__(self, slot: Slot, ready: datetime, limit: str) -> None:
        super().__init__(f"{slot.request.describe()}: resting until {_utc(ready)} UTC ({limit})")
        self.slot = slot
        self.ready = ready
        self.limit = limit


class FatalReport(ReportError):
    """A report Amazon would not build, however often it was asked (FATAL after the retries)."""


def _cooling_key(request: ReportRequest) -> tuple[str, str]:
    return request.report_type, ",".join(sorted(request.marketplace_ids))


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:g} s"


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
        found.append(f"its window is {start}..{end}, not {window_text(request)}")
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

        def day(moment: datetime) -> date:
            return moment.astimezone(timezone.utc).date()

        return day(start) == day(request.start) and day(end) == day(last)
    second = timedelta(seconds=1)
    return abs(start - request.start) < second and abs(end - request.end) < second


def window_text(request: ReportRequest) -> str:
    """A request's window as the log names it: `start..end`, or `snapshot`."""
    if request.start is None or request.end is None:
        return "snapshot"
    return f"{format_datetime(request.start)}..{format_datetime(request.end)}"
