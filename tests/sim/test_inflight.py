"""Reports in flight and reports reused: order of records and STATE, kills, and what is requested."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tap_amazon_sp.records import format_datetime, parse_datetime
from tests.conftest import START, make_config
from tests.spapi_simulator import RecordedRequest, Simulator
from tests.support.expectations import expected, strip_added
from tests.support.tap_runner import REPO, TapRun, catalog_for, report_requests, run_tap

US = "ATVPDKIKX0DER"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
BY_UPDATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"


def window_of(body: dict[str, Any]) -> str:
    start, end = parse_datetime(body["dataStartTime"]), parse_datetime(body["dataEndTime"])
    return f"{format_datetime(start)}/{format_datetime(end)}"


def most_in_flight(requests: list[RecordedRequest]) -> int:
    """The most reports requested and not yet downloaded at any moment (every window has data)."""
    peak = open_reports = 0
    for request in requests:
        if request.operation == "createReport" and request.status == 202:
            open_reports += 1
            peak = max(peak, open_reports)
        elif request.path.startswith("/_documents/") and request.status == 200:
            open_reports -= 1
    return peak


def pending(state: dict[str, Any], stream: str = ALL_ORDERS) -> dict[str, Any]:
    for partition in state.get("bookmarks", {}).get(stream, {}).get("partitions", []):
        if partition.get("context", {}).get("marketplace_id") == US:
            return dict(partition.get("pending_reports") or {})
    return {}


def test_later_windows_and_other_streams_are_requested_while_the_first_report_is_processed(sim: Simulator):
    sim.set_faults(processing_delay=0.3)
    end = "2024-03-31T00:00:00Z"
    run = run_tap(make_config(sim, end_date=end), streams=[ALL_ORDERS, RETURNS])
    assert run.error is None, run.stderr
    requests = sim.requests
    first_download = next(i for i, r in enumerate(requests) if r.path.startswith("/_documents/"))
    created_before = report_requests(requests[:first_download])
    # Every window of both streams (3 of 30 days, 2 of 60 days) before the first document is read.
    assert sorted((b["reportType"], window_of(b)) for b in created_before) == sorted(
        (b["reportType"], window_of(b)) for b in report_requests(requests)
    )
    assert {b["reportType"] for b in created_before} == {ALL_ORDERS, RETURNS}
    assert len(created_before) == 5
    for stream in (ALL_ORDERS, RETURNS):
        assert [strip_added(r) for r in run.records(stream)] == expected(sim, stream, US, START, end)


def test_max_reports_in_flight_bounds_the_reports_requested_ahead(sim: Simulator):
    end = "2024-03-31T00:00:00Z"
    run = run_tap(make_config(sim, end_date=end, max_reports_in_flight=2), streams=[ALL_ORDERS, RETURNS])
    assert run.error is None, run.stderr
    assert len(report_requests(sim.requests)) == 5
    assert most_in_flight(sim.requests) == 2


def test_wait_between_requests_keeps_one_report_at_a_time(sim: Simulator):
    end = "2024-03-31T00:00:00Z"
    run = run_tap(make_config(sim, end_date=end, wait_between_requests=True), streams=[ALL_ORDERS, RETURNS])
    assert run.error is None, run.stderr
    assert len(report_requests(sim.requests)) == 5
    assert most_in_flight(sim.requests) == 1


def test_records_and_state_stay_in_window_order_when_later_reports_finish_first(sim: Simulator):
    # The first window's report takes longest: the later ones are DONE before it.
    sim.set_faults(processing_delays=[0.8, 0.05, 0.05, 0.05, 0.05, 0.05])
    end = "2024-03-31T00:00:00Z"
    # Oldest first, so that window order is date order (tests/sim/test_newest_first.py: the other order).
    run = run_tap(make_config(sim, end_date=end, period_in_days=15, newest_first=False), streams=[ALL_ORDERS])
    assert run.error is None, run.stderr
    requests = sim.requests
    first_download = next(i for i, r in enumerate(requests) if r.path.startswith("/_documents/"))
    assert len(report_requests(requests[:first_download])) == 6
    assert [strip_added(r) for r in run.records(ALL_ORDERS)] == expected(
        sim, ALL_ORDERS, US, START, end, period=15, newest_first=False
    )
    # Walk the output: each STATE's bookmark covers exactly the records before it.
    bookmark = START.replace("Z", "+00:00")
    marks = []
    for message in run.messages:
        if message["type"] == "RECORD":
            record = message["record"]
            assert record["data_start_time"] == bookmark, "a record of a later window came before its turn"
        elif message["type"] == "STATE":
            mark = run.bookmark(ALL_ORDERS, US, message["value"])
            if mark and mark != bookmark:
                assert mark > bookmark
                bookmark = mark
                marks.append(mark)
    assert len(marks) == 6 and marks[-1] == "2024-03-31T00:00:00+00:00"
    assert pending(run.last_state) == {}


def _run_until_first_bookmark_then_kill(config: dict[str, Any], streams: list[str]) -> TapRun:
    """Run the tap CLI and SIGKILL it right after the STATE that closes its first window."""
    with tempfile.TemporaryDirectory() as tmp:
        config_path, catalog_path = Path(tmp, "config.json"), Path(tmp, "catalog.json")
        config_path.write_text(json.dumps(config))
        catalog_path.write_text(json.dumps(catalog_for(config, streams)))
        command = [
            sys.executable,
            "-m",
            "tap_amazon_sp.tap",
            "--config",
            str(config_path),
            "--catalog",
            str(catalog_path),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=REPO
        )
        assert proc.stdout is not None
        lines: list[str] = []
        try:
            for line in proc.stdout:
                lines.append(line)
                message = json.loads(line)
                if message["type"] == "STATE" and TapRun("", "").bookmark(ALL_ORDERS, US, message["value"]):
                    proc.send_signal(signal.SIGKILL)
                    break
        finally:
            proc.kill()
            proc.wait(timeout=30)
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return TapRun("".join(lines), "", proc.returncode)


def test_a_killed_sync_resumes_without_gaps_and_without_requesting_its_reports_again(sim: Simulator):
    # The first window is quick; the others are still processing when the sync is killed.
    sim.set_faults(processing_delays=[0.2, 2.0, 2.0, 2.0, 2.0, 2.0])
    end = "2024-03-31T00:00:00Z"
    # Oldest first: the bookmark moves with the first window (newest first: tests/sim/test_kill_resume.py).
    config = make_config(sim, end_date=end, period_in_days=15, newest_first=False)
    killed = _run_until_first_bookmark_then_kill(config, [ALL_ORDERS])
    first_creates = report_requests(sim.requests)
    assert len(first_creates) == 6
    remembered = pending(killed.last_state)
    later_windows = sorted(window_of(b) for b in first_creates)[1:]
    assert sorted(remembered) == later_windows
    assert killed.bookmark(ALL_ORDERS, US) == "2024-01-16T00:00:00+00:00"

    sim.clear_requests()
    resumed = run_tap(config, streams=[ALL_ORDERS], state=killed.last_state)
    assert resumed.error is None, resumed.stderr
    # The only new report re-reads the look-back (3 days) before the bookmark; the windows past it
    # are the killed sync's, whose reports are taken from its state.
    look_back = "2024-01-13T00:00:00+00:00/2024-01-16T00:00:00+00:00"
    assert [window_of(b) for b in report_requests(sim.requests)] == [look_back], "a report was requested again"
    again = [r for r in resumed.records(ALL_ORDERS) if r["data_start_time"] == "2024-01-13T00:00:00+00:00"]
    resumed_past_bookmark = [r for r in resumed.records(ALL_ORDERS) if r not in again]
    assert {r["report_id"] for r in resumed_past_bookmark} <= {p["report_id"] for p in remembered.values()}
    # Records up to the last STATE of the killed run, then the resumed run: the whole range, once.
    committed = []
    for message in killed.messages:
        if message["type"] == "STATE" and killed.bookmark(ALL_ORDERS, US, message["value"]):
            break
        if message["type"] == "RECORD":
            committed.append(message["record"])
    both = [strip_added(r) for r in committed + resumed_past_bookmark]
    assert both == expected(sim, ALL_ORDERS, US, START, end, period=15, newest_first=False)
    assert resumed.bookmark(ALL_ORDERS, US) == "2024-03-31T00:00:00+00:00"
    assert pending(resumed.last_state) == {}


def test_a_remembered_report_amazon_no_longer_has_is_requested_again(sim: Simulator):
    end = "2024-02-01T00:00:00Z"
    state = {
        "bookmarks": {
            ALL_ORDERS: {
                "partitions": [
                    {
                        "context": {"marketplace_id": US},
                        "pending_reports": {
                            "2024-01-01T00:00:00+00:00/2024-01-31T00:00:00+00:00": {
                                "report_id": "99999999999",
                                "options": "{}",
                                "created": "2024-01-31T01:00:00+00:00",
                            },
                        },
                    }
                ]
            }
        }
    }
    run = run_tap(make_config(sim, end_date=end), streams=[ALL_ORDERS], state=state)
    assert run.error is None, run.stderr
    assert len(report_requests(sim.requests)) == 2
    assert [strip_added(r) for r in run.records(ALL_ORDERS)] == expected(sim, ALL_ORDERS, US, START, end)
    assert pending(run.last_state) == {}


def test_a_done_report_of_the_same_window_is_reused_with_one_listing_per_report_type(sim: Simulator):
    end = "2024-03-31T00:00:00Z"  # every window has data: only DONE reports are reused
    first = run_tap(make_config(sim, end_date=end), streams=[ALL_ORDERS, BY_UPDATE])
    assert first.error is None, first.stderr
    sim.clear_requests()
    again = run_tap(make_config(sim, end_date=end, report_reuse_max_age_hours=1), streams=[ALL_ORDERS, BY_UPDATE])
    assert again.error is None, again.stderr
    assert report_requests(sim.requests) == []
    listings = [r for r in sim.requests if r.operation == "getReports"]
    assert sorted(r.query["reportTypes"][0] for r in listings) == sorted([ALL_ORDERS, BY_UPDATE])
    for stream in (ALL_ORDERS, BY_UPDATE):
        assert again.records(stream) == first.records(stream)  # the same reports: report_id too
    assert pending(again.last_state) == {}


def test_reports_of_other_windows_or_options_are_not_reused(sim: Simulator):
    end = "2024-03-01T00:00:00Z"
    assert run_tap(make_config(sim, end_date=end), streams=[ALL_ORDERS]).error is None
    sim.clear_requests()
    narrower = run_tap(
        make_config(sim, end_date=end, period_in_days=20, report_reuse_max_age_hours=1), streams=[ALL_ORDERS]
    )
    assert narrower.error is None, narrower.stderr
    assert len(report_requests(sim.requests)) == 3
    sim.clear_requests()
    options = [{"stream_name": ALL_ORDERS, "options": {"ShowSalesChannel": "true"}}]
    with_options = run_tap(
        make_config(sim, end_date=end, report_options=options, report_reuse_max_age_hours=1), streams=[ALL_ORDERS]
    )
    assert with_options.error is None, with_options.stderr
    assert len(report_requests(sim.requests)) == 2
    assert [r for r in sim.requests if r.operation == "getReports"] == []


def test_remembered_reports_of_windows_a_sync_no_longer_has_are_dropped(sim: Simulator):
    end = "2024-02-01T00:00:00Z"
    old = {"report_id": "50000000001", "options": "{}", "created": "2024-02-01T01:00:00+00:00"}
    state = {
        "bookmarks": {
            ALL_ORDERS: {
                "partitions": [
                    {
                        "context": {"marketplace_id": US},
                        "pending_reports": {"2023-12-01T00:00:00+00:00/2023-12-08T00:00:00+00:00": old},
                    }
                ]
            }
        }
    }
    run = run_tap(make_config(sim, end_date=end), streams=[ALL_ORDERS], state=state)
    assert run.error is None, run.stderr
    assert len(report_requests(sim.requests)) == 2
    assert not any(r.path.endswith("/50000000001") for r in sim.requests)
    assert pending(run.last_state) == {}
