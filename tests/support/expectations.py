"""What a correct sync must print, computed from the simulator's ground truth."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from tap_amazon_sp.catalogue import BY_STREAM, ReportSpec
from tap_amazon_sp.records import parse_datetime
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.vendor_data import next_period, period_start

ADDED = ("account_id", "marketplace_id", "data_start_time", "data_end_time", "report_id", "row_key", "region")


def plain(value: Any) -> Any:
    """JSON-comparable form: Decimals as floats, recursively."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# Present in every record, null unless the document had something the schema does not cover.
LEFTOVERS = ("extra_columns", "unparsed_values")


def strip_added(record: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in record.items() if k not in ADDED and not (k in LEFTOVERS and v is None)}


def report_windows(
    spec: ReportSpec, start: str, end: str, period: int = 90, *, newest_first: bool = True
) -> list[tuple[datetime, datetime]]:
    """A first sync's windows in the order it reads them: newest first (cut back from the end) when
    they reach back more than `period` days and 30 days (windows.FAR_BEHIND) and newest_first is on,
    else oldest first."""
    lower, upper = parse_datetime(start), parse_datetime(end)
    if newest_first and upper - lower > timedelta(days=max(period, 30)):
        return spec.window.cut_back(lower, upper, period)
    return spec.window.cut(lower, upper, period)


def analytics_options(spec: ReportSpec, options: dict[str, str] | None = None) -> dict[str, str]:
    """The report options the tap sends for an analytics stream: the defaults, overridden by `options`."""
    assert spec.analytics is not None
    return {name: rule.default for name, rule in spec.analytics.options.items() if rule.default} | (options or {})


def published_until(moment: datetime, report_period: str) -> datetime:
    """Where the newest period Amazon has published at `moment` ends: 72 hours back, at a period start.

    Worked out with the simulator's own period arithmetic, not the tap's.
    """
    day = (moment - timedelta(hours=72)).astimezone(timezone.utc).date()
    return datetime.combine(period_start(day, report_period), time(), tzinfo=timezone.utc)


def analytics_periods(
    spec: ReportSpec, start: str, end: str, options: dict[str, str] | None = None
) -> list[tuple[datetime, datetime]]:
    """Every whole reporting period from start to end, none Amazon has not published yet.

    One by one, whatever windows the tap groups them in: a gap or an overlap of its windows shows.
    """
    report_period = analytics_options(spec, options)["reportPeriod"]
    first = parse_datetime(start).astimezone(timezone.utc)
    day = period_start(first.date(), report_period)
    if datetime.combine(day, time(), tzinfo=timezone.utc) < first:
        day = next_period(day, report_period)
    last = min(parse_datetime(end), published_until(datetime.now(timezone.utc), report_period))
    periods = []
    while (following := next_period(day, report_period)) <= last.date():
        periods.append(
            (
                datetime.combine(day, time(), tzinfo=timezone.utc),
                datetime.combine(following, time(), tzinfo=timezone.utc),
            )
        )
        day = following
    return periods


def expected(
    sim: Simulator,
    stream: str,
    marketplace_id: str,
    start: str,
    end: str,
    period: int = 90,
    options: dict[str, str] | None = None,
    include_pii: bool = False,
    newest_first: bool = True,
) -> list[dict[str, Any]]:
    """The records (without the fields the tap adds) a full sync of one partition must emit, in order
    (analytics reports: period by period, oldest first, whatever order the tap reads its windows in).

    A report's PII columns are null unless the sync has `include_pii` on.
    """
    found = _expected(sim, stream, marketplace_id, start, end, period, options, newest_first)
    withheld = () if include_pii else BY_STREAM[stream].pii_columns
    if withheld:
        found = [{**record, **dict.fromkeys(withheld)} for record in found]
    return found


def _expected(
    sim: Simulator,
    stream: str,
    marketplace_id: str,
    start: str,
    end: str,
    period: int,
    options: dict[str, str] | None,
    newest_first: bool,
) -> list[dict[str, Any]]:
    spec = BY_STREAM[stream]
    if spec.analytics is not None:
        chosen = analytics_options(spec, options)
        found: list[dict[str, Any]] = []
        for lower, upper in analytics_periods(spec, start, end, options):
            # Amazon's end date is inclusive: the tap names the window's last second.
            last = upper - timedelta(seconds=1)
            found.extend(sim.dataset.expected_records(stream, marketplace_id, lower, last, chosen))
        declared = dict.fromkeys(name for name, _kind in spec.columns)
        return [plain({**declared, **row}) for row in found]
    if spec.list_only:
        return [plain(r) for r in settlement_records(sim, spec.report_type, marketplace_id, start, end)]
    if not spec.windowed:
        return [plain(r) for r in sim.expected_records(stream, marketplace_id, None, None)]
    rows = []
    for lower, upper in report_windows(spec, start, end, period, newest_first=newest_first):
        # A report read as whole dates names its window's last second (Amazon's end date is inclusive).
        last = upper - timedelta(seconds=1) if spec.window.names_last_second else upper
        rows.extend(sim.expected_records(stream, marketplace_id, lower, last))
    if spec.fmt == "json":
        # Keys Amazon leaves out come through as nulls.
        declared = dict.fromkeys(name for name, _kind in spec.columns)
        rows = [{**declared, **row} for row in rows]
    return [plain(r) for r in rows]


def listed_settlements(
    sim: Simulator, report_type: str, marketplace_id: str, start: str, end: str
) -> list[dict[str, Any]]:
    """The settlement reports a sync of [start, end) reads, in the order it reads them: those Amazon
    lists for the marketplace's region, created within the last 89 days, by period end."""
    lower, upper = parse_datetime(start), parse_datetime(end)
    horizon = datetime.now(lower.tzinfo) - timedelta(days=89)
    reports = sorted(
        sim.settlement_reports(marketplace_id, report_type), key=lambda r: (r["dataEndTime"], r["createdTime"])
    )
    return [
        report
        for report in reports
        if lower < parse_datetime(report["dataEndTime"]) <= upper
        and parse_datetime(report["createdTime"]) >= max(lower, horizon)
    ]


def settlement_records(
    sim: Simulator, report_type: str, marketplace_id: str, start: str, end: str
) -> list[dict[str, Any]]:
    """The records (without the fields the tap adds) of those settlement reports, in order."""
    rows: list[dict[str, Any]] = []
    for report in listed_settlements(sim, report_type, marketplace_id, start, end):
        rows.extend(sim.expected_settlement_records(report["reportId"]))
    return rows


def unordered(records: Iterable[dict[str, Any]]) -> list[str]:
    """Records as a sorted list of their JSON: for comparing what a sync emitted with what it must,
    where the order of its windows is not what a test is about (a sync reading newest first)."""
    return sorted(json.dumps(record, sort_keys=True, default=str) for record in records)
