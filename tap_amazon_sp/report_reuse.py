"""Reports the tap need not request: before the scheduler creates a report for a slot, it tries, in
order,
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

The same listing tells a CANCELLED FBA report that came too soon after another of its window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from tap_amazon_sp.errors import APIError
from tap_amazon_sp.records import format_datetime, parse_datetime
from tap_amazon_sp.reports import ReportEngine, ReportRequest, ReportResult
from tap_amazon_sp.slots import SNAPSHOT, Ledger, Slot, Ticket, options_key, request_key, window_text
from tap_amazon_sp.windows import last_second

# Statuses of a report Amazon is still building: one of them may be adopted instead of asking again.
PENDING = ("IN_QUEUE", "IN_PROGRESS")


class ReportReuse:
    """Finds the report that serves a slot without creating one, and knows the reports this sync made."""

    def __init__(
        self,
        engine: ReportEngine,
        *,
        reuse_max_age: timedelta,
        marketplace_ids: tuple[str, ...],
        logger: logging.Logger,
        cooldown: Callable[[str], tuple[float, str | None]],
        now: Callable[[], datetime],
    ) -> None:
        self.engine = engine
        self.reuse_max_age = reuse_max_age
        self.marketplace_ids = marketplace_ids
        self.logger = logger
        self.cooldown = cooldown
        self.now = now
        self._listings: dict[str, list[dict[str, Any]]] = {}
        # The reports this sync requested or adopted, by request: options known, so shareable.
        self._made: dict[tuple[str, ...], Ticket] = {}

    def find(self, owner: Ledger, slot: Slot) -> Ticket | None:
        """A report that serves `slot` already (remembered, shared or listed), remembered in `owner`."""
        ticket = self._adopt(owner, slot) or self._shared(owner, slot)
        if ticket is None and slot.listable:
            ticket = self._listed(owner, slot)
        elif ticket is None and self.cooldown(slot.request.report_type)[1] is not None:
            # Not reused (its options may differ), but it tells a CANCELLED that came too soon.
            self._listing(slot.request.report_type)
        return ticket

    def made(self, slot: Slot, ticket: Ticket) -> None:
        """`ticket` serves `slot`: another stream asking for the same report shares it."""
        self._made.setdefault(request_key(slot.request), ticket)

    def unmade(self, request: ReportRequest, report_id: str) -> None:
        """Report `report_id` failed: no stream shares it any more."""
        key = request_key(request)
        if (made := self._made.get(key)) is not None and made.report_id == report_id:
            del self._made[key]

    def generated_before(self, slot: Slot, result: ReportResult) -> tuple[str, datetime] | None:
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
        last = last_second(request.end)

        def day(moment: datetime) -> date:
            return moment.astimezone(timezone.utc).date()

        return day(start) == day(request.start) and day(end) == day(last)
    second = timedelta(seconds=1)
    return abs(start - request.start) < second and abs(end - request.end) < second
