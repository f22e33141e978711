"""What a sync logs while Amazon works and when it ends, through the CLI against the simulator."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import TapRun, catalog_for, run_cli

ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
BY_DATE = "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE"
US = "ATVPDKIKX0DER"
END = "2024-03-01T00:00:00Z"


def sync(sim: Simulator, tmp_path: Path, streams: list[str], **settings: Any) -> TapRun:
    config = make_config(sim, **{"end_date": END, **settings})
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(config, streams)), encoding="utf-8")
    return run_cli(config, "--catalog", str(catalog))


def messages(run: TapRun) -> list[str]:
    """The log lines' messages, without the time, level and logger."""
    return [line.split("| ", 3)[3] for line in run.stderr.splitlines() if line.count("| ") >= 3]


def test_each_report_requested_and_each_wait_is_said_with_its_stream_marketplace_and_window(
    sim: Simulator, tmp_path: Path
):
    # Reports take 1.2 s; the heartbeat comes every 0.3 s instead of every minute.
    sim.set_faults(processing_delay=1.2)
    run = sync(sim, tmp_path, [ORDERS], progress_interval_seconds=0.3)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = messages(run)
    pattern = re.compile(rf"{ORDERS} {US} (\S+): requested report (\d+) \((\d+) in flight\)")
    requested = [m for m in map(pattern.fullmatch, lines) if m is not None]
    windows = [
        "2024-01-01T00:00:00+00:00..2024-01-31T00:00:00+00:00",
        "2024-01-31T00:00:00+00:00..2024-03-01T00:00:00+00:00",
    ]
    assert [m.group(1) for m in requested] == windows, run.stderr[-3000:]
    assert [int(m.group(3)) for m in requested] == [1, 2]
    ids = [m.group(2) for m in requested]
    beats = [
        line
        for line in lines
        if re.fullmatch(
            rf"{ORDERS} {US} \S+: report \d+ (IN_QUEUE|IN_PROGRESS), waited [\d.]+ s; \d reports in flight", line
        )
    ]
    beat_ids = {found.group(1) for b in beats if (found := re.search(r"report (\d+)", b))}
    assert beats and beat_ids <= set(ids), run.stderr[-3000:]
    # Each window says what the document held and what was emitted: the orders report holds every
    # marketplace of the region, and only the configured one's rows are emitted.
    for window, report_id in zip(windows, ids, strict=True):
        line = next(line for line in lines if line.startswith(f"{ORDERS} {US} {window}: report {report_id} DONE"))
        counts = re.search(r"(\d+) rows in the document, (\d+) emitted", line)
        assert counts is not None, line
        held, emitted = (int(n) for n in counts.groups())
        start = window.split("..")[0]
        assert emitted == len([r for r in run.records(ORDERS) if r["data_start_time"] == start]) > 0
        assert held > emitted, line


def test_retry_and_fatal_lines_name_the_stream(sim: Simulator, tmp_path: Path):
    sim.set_faults(fatal={"GET_SALES_AND_TRAFFIC_REPORT": 1}, throttle={"createReport": 1, "searchOrders": 1})
    run = sync(
        sim,
        tmp_path,
        [BY_DATE, "orders"],
        end_date="2024-01-10T00:00:00Z",
        fatal_report_retries=1,
        max_cooldown_wait_seconds=5,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = messages(run)
    assert any(re.match(rf"{BY_DATE}: createReport: HTTP 429 QuotaExceeded; retrying in", line) for line in lines)
    assert any(re.match(r"orders: searchOrders: HTTP 429 QuotaExceeded; retrying in", line) for line in lines)
    fatal = [line for line in lines if "ended FATAL" in line]
    assert fatal and all(line.startswith(f"{BY_DATE}: GET_SALES_AND_TRAFFIC_REPORT [{US}]") for line in fatal)
    summary = next(line for line in lines if line.startswith(f"  {BY_DATE}:"))
    assert "1 FATAL" in summary and "2 requested" in summary


def test_the_sync_ends_with_a_summary_of_each_stream_and_of_the_requests(sim: Simulator, tmp_path: Path):
    sim.set_faults(throttle={"getReport": 2}, cancel={LISTINGS: 1})
    # The session's simulator keeps the reports of earlier tests: this sync requests its own.
    run = sync(sim, tmp_path, [ORDERS, LISTINGS, "orders"], report_reuse_max_age_hours=0)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = messages(run)
    start = lines.index(next(line for line in lines if line.startswith("Sync summary: 3 streams in ")))
    block = lines[start:]
    records = Counter(m["stream"] for m in run.messages if m["type"] == "RECORD")
    assert block[1:4] == [
        f"  {ORDERS}: {records[ORDERS]} records, 2 windows; reports 2 requested, 0 reused, 0 cancelled, 0 FATAL",
        f"  {LISTINGS}: 0 records, 1 window; reports 1 requested, 0 reused, 1 cancelled, 0 FATAL",
        f"  orders: {records['orders']} records, 1 window",
    ]
    calls = Counter(r.operation for r in sim.requests if r.operation)
    throttled = Counter(r.operation for r in sim.requests if r.operation and r.status == 429)
    assert throttled == {"getReport": 2}
    listed = ", ".join(
        f"{op} {n}" + (f" ({throttled[op]} answered 429)" if throttled[op] else "") for op, n in sorted(calls.items())
    )
    assert block[4] == f"  requests: {listed}; 2 answered 429 (throttled); 1 Login with Amazon token request"
    # A second sync from the start, reuse on, finds those orders reports DONE at Amazon and reuses them.
    sim.clear_requests()
    again = sync(sim, tmp_path, [ORDERS], report_reuse_max_age_hours=1)
    assert f"  {ORDERS}: {records[ORDERS]} records, 2 windows; reports 0 requested, 2 reused" in messages(again)[-2]


def test_every_request_has_an_http_request_duration_metric_naming_stream_and_operation(sim: Simulator, tmp_path: Path):
    run = sync(sim, tmp_path, [ORDERS, "orders"])
    assert run.returncode == 0, run.stderr[-3000:]
    points = [json.loads(line.split("METRIC: ", 1)[1]) for line in run.stderr.splitlines() if "METRIC: " in line]
    timers = [p for p in points if p["metric"] == "http_request_duration"]
    spapi = [r for r in sim.requests if r.operation]
    assert len(timers) == len(spapi)
    assert Counter((t["tags"]["operation"], t["tags"]["http_status_code"]) for t in timers) == Counter(
        (r.operation, r.status) for r in spapi
    )
    by_operation = {t["tags"]["operation"]: t["tags"] for t in timers}
    assert by_operation["createReport"]["stream"] == ORDERS
    assert by_operation["searchOrders"] == {
        "stream": "orders",
        "endpoint": "/orders/2026-01-01/orders",
        "operation": "searchOrders",
        "http_status_code": 200,
        "status": "succeeded",
    }
    assert all(t["value"] >= 0 for t in timers)


def test_a_sync_that_fails_still_ends_with_its_summary(sim: Simulator, tmp_path: Path):
    sim.set_faults(fatal={ORDERS: 1})
    run = sync(sim, tmp_path, [ORDERS], end_date="2024-01-15T00:00:00Z", fatal_report_retries=0)
    assert run.returncode == 1
    lines = messages(run)
    assert "Sync summary: 1 stream in " in "\n".join(lines)
    assert any(
        line.startswith(f"  {ORDERS}: 0 records, 0 windows; reports 1 requested, 0 reused, 0 cancelled, 1 FATAL")
        for line in lines
    ), run.stderr[-3000:]


PLAN = r"Sync plan: (\d+) reports? for (\d+) streams? and (\d+) marketplaces? \((\d+) createReport calls?"
PLAN_BURST = re.compile(
    PLAN + r", within Amazon's burst of 15\): all can be requested at once, so the sync can end as soon as Amazon "
    r"has built them"
)
PLAN_QUOTA = re.compile(
    PLAN + r"\); at Amazon's published createReport rate \(15 at once, then one every 60 s\) they need (.+?) of "
    r"quota: the last can be requested at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC, so the sync can end then at the "
    r"earliest, plus Amazon's time to build it \(sooner where an earlier sync's report is reused\)"
)
READ = re.compile(r"(\S+) \S+ \S+: report \d+ \w+.*, \d+ rows in the document, \d+ emitted, [^;]+; (.+)")
ETA = re.compile(r"report (\d+) of (\d+), ETA \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (.+)\)")


def test_the_sync_plan_is_said_before_the_first_request_and_each_report_read_says_k_of_n(
    sim: Simulator, tmp_path: Path
):
    # The first request of each kind is throttled: its retry line shows where the requests began.
    sim.set_faults(throttle={"searchOrders": 1, "createReport": 1})
    run = sync(sim, tmp_path, [ORDERS, LISTINGS, "orders"])
    assert run.returncode == 0, run.stderr[-3000:]
    lines = messages(run)
    head = next(i for i, line in enumerate(lines) if line.startswith("Sync plan: "))
    first_request = min(i for i, line in enumerate(lines) if "HTTP 429" in line or "requested report" in line)
    assert head < first_request, run.stderr[-3000:]
    found = PLAN_BURST.fullmatch(lines[head])
    assert found is not None, lines[head]
    # Two 30-day order windows and one listings snapshot; `orders` is read from the Orders API.
    assert found.groups() == ("3", "2", "1", "3")
    assert sorted(lines[head + 1 : head + 3]) == sorted([f"  - {ORDERS}: 2 reports", f"  - {LISTINGS}: 1 report"])
    read = [m.groups() for m in map(READ.fullmatch, lines) if m is not None]
    assert sorted(stream for stream, _ in read) == sorted([ORDERS, ORDERS, LISTINGS]), run.stderr[-3000:]
    counted = [ETA.fullmatch(text) for _, text in read[:-1]]
    assert [(m.group(1), m.group(2)) for m in counted if m is not None] == [("1", "3"), ("2", "3")], read
    assert read[-1][1] == "report 3 of 3, the last"


def test_the_plan_of_a_sync_past_the_burst_says_its_quota_and_every_report_read_is_counted(
    sim: Simulator, tmp_path: Path
):
    # 20 one-day windows: 5 past createReport's burst of 15, at Amazon's published one a minute (the
    # simulator answers with a faster rate, so the sync itself takes seconds).
    before = datetime.now(timezone.utc).replace(microsecond=0)
    run = sync(sim, tmp_path, [ORDERS], end_date="2024-01-21T00:00:00Z", period_in_days=1)
    after = datetime.now(timezone.utc)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = messages(run)
    found = next(m for m in map(PLAN_QUOTA.fullmatch, lines) if m is not None)
    # (20 - 15) / 0.0167 per second, from when the plan was said
    assert found.group(1, 2, 3, 4, 5) == ("20", "1", "1", "20", "4 min 59 s")
    last = datetime.strptime(found.group(6), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    assert before + timedelta(seconds=299) <= last <= after + timedelta(seconds=300)
    assert next(line for line in lines if line.startswith("  - ")) == f"  - {ORDERS}: 20 reports"
    read = [m.group(2) for m in map(READ.fullmatch, lines) if m is not None]
    counted = [m for m in map(ETA.fullmatch, read) if m is not None]
    assert [int(m.group(1)) for m in counted] == list(range(1, 20))
    assert {m.group(2) for m in counted} == {"20"}
    assert read[-1] == "report 20 of 20, the last"
