"""FATAL reports and Amazon's regeneration limits: a report type and marketplace rest for their
cool-down while the other reports of the sync go on, and a cool-down longer than a sync waits stops
only its stream partition, saying when to rerun.

The cool-downs are settings (`fba_near_real_time_cooldown_seconds`, `fba_daily_cooldown_seconds`):
the tests scale them down to seconds, as they scale the usage plans.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.conftest import START, make_config
from tests.spapi_simulator import Simulator
from tests.support.expectations import expected, strip_added
from tests.support.tap_runner import catalog_for, report_requests, run_cli, run_tap

US = "ATVPDKIKX0DER"
SHIPMENTS = "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"  # near-real-time FBA
FBA_RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"  # daily FBA
LEDGER_SUMMARY = "GET_LEDGER_SUMMARY_VIEW_DATA"  # daily FBA, takes report options
RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"  # no regeneration limit
END = "2024-02-01T00:00:00Z"
RERUN = re.compile(r"a rerun from (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC on can succeed")


def test_a_fatal_report_waits_out_its_cool_down_while_the_other_streams_go_on(sim: Simulator):
    sim.set_faults(fatal={SHIPMENTS: 1})
    config = make_config(sim, end_date=END, fba_near_real_time_cooldown_seconds=1.5)
    run = run_tap(config, streams=[SHIPMENTS, RETURNS])
    assert run.error is None, run.stderr
    for stream in (SHIPMENTS, RETURNS):
        assert [strip_added(r) for r in run.records(stream)] == expected(sim, stream, US, START, END)
    # The SDK syncs the shipments first; its resting window came back after the other stream.
    streams = [m["stream"] for m in run.messages if m["type"] == "RECORD"]
    assert streams.index(SHIPMENTS) > len(streams) - 1 - streams[::-1].index(RETURNS)
    # Asked again once, and only after its cool-down had passed.
    creates = [r for r in sim.requests if r.operation == "createReport" and SHIPMENTS in r.body.decode()]
    assert len(creates) == 3  # two windows, one of them twice
    first_window = [r for r in creates if json.loads(r.body)["dataStartTime"].startswith("2024-01-01")]
    assert len(first_window) == 2 and first_window[1].time - first_window[0].time >= 1.5
    assert "ended FATAL" in run.stderr and "near-real-time FBA report at most once every 1.5 s" in run.stderr
    assert run.bookmark(SHIPMENTS, US) == "2024-02-01T00:00:00+00:00"


def test_a_cool_down_that_outlasts_the_sync_stops_only_that_stream_and_says_when_to_rerun(sim: Simulator):
    sim.set_faults(fatal={FBA_RETURNS: 1})
    config = make_config(sim, end_date=END, fba_daily_cooldown_seconds=3600, period_in_days=15)
    before = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp, "catalog.json")
        catalog.write_text(json.dumps(catalog_for(config, [FBA_RETURNS, RETURNS])))
        run = run_cli(config, "--catalog", str(catalog))
    # Incomplete: non-zero, after the other stream finished, with no traceback.
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert [strip_added(r) for r in run.records(RETURNS)] == expected(sim, RETURNS, US, START, END, period=15)
    assert run.bookmark(RETURNS, US) == "2024-02-01T00:00:00+00:00"
    # The resting stream: nothing emitted, its bookmark never past the window, asked for once.
    assert run.records(FBA_RETURNS) == []
    assert all(run.bookmark(FBA_RETURNS, US, state) is None for state in run.states)
    assert [b["dataStartTime"] for b in report_requests(sim.requests, FBA_RETURNS)].count("2024-01-01T00:00:00Z") == 1
    # The windows requested ahead stay in state for the rerun.
    partition = next(p for p in run.last_state["bookmarks"][FBA_RETURNS]["partitions"])
    assert len(partition.get("pending_reports") or {}) == 2
    lines = [line for line in run.stderr.splitlines() if RERUN.search(line) and "stopped before" in line]
    assert len(lines) == 1, run.stderr
    assert FBA_RETURNS in lines[0] and US in lines[0] and "daily FBA report at most once every 1 h" in lines[0]
    found = RERUN.search(lines[0])
    assert found is not None
    rerun = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    assert before + timedelta(seconds=3590) <= rerun <= datetime.now(timezone.utc) + timedelta(seconds=3600)


def test_a_cancelled_report_too_soon_after_another_rests_like_a_fatal_and_the_bookmark_stays(sim: Simulator):
    # Another app of the seller had this window's ledger summary generated a minute ago, with options
    # the listing does not show (so it is not reused); Amazon cancels ours as too soon.
    # A window of its own: the session's simulator keeps the ledger summaries earlier tests had
    # generated, and a newer one of the same window would be the one Amazon names.
    start, end = "2024-05-07T00:00:00Z", "2024-05-21T00:00:00Z"
    options = {"aggregateByLocation": "COUNTRY", "aggregatedByTimePeriod": "DAILY"}
    other = sim.plant_report(LEDGER_SUMMARY, [US], start, end, options, age=60)
    sim.set_faults(cancel={LEDGER_SUMMARY: 1})
    config = make_config(
        sim, start_date=start, end_date=end, fba_daily_cooldown_seconds=3600, report_reuse_max_age_hours=1
    )
    run = run_tap(config, streams=[LEDGER_SUMMARY])
    assert run.error is not None and "stopped until" in str(run.error), run.stderr
    assert len([line for line in run.stderr.splitlines() if RERUN.search(line)]) == 1
    assert run.records(LEDGER_SUMMARY) == []
    assert all(run.bookmark(LEDGER_SUMMARY, US, state) is None for state in run.states)
    assert "ended CANCELLED" in run.stderr and f"Amazon generated report {other}" in run.stderr
    assert len(report_requests(sim.requests, LEDGER_SUMMARY)) == 1
