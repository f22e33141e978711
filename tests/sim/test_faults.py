"""Amazon's bad days, one simulator switch each, driven through HTTP: the data of a clean run, or a
clear one-line failure with the bookmark before the data that was not emitted.

Every fault here is a switch of tests/spapi_simulator/faults.py; the README's "What happens when"
table names the test that backs each row.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import START, make_config
from tests.spapi_simulator import Simulator
from tests.support.expectations import expected, strip_added
from tests.support.tap_runner import TapRun, catalog_for, run_cli, run_tap

US = "ATVPDKIKX0DER"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
SETTLEMENTS = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
# Two 30-day windows of All Orders: enough to see a bookmark move, small enough to be quick.
END = "2024-03-01T00:00:00Z"
FIRST_WINDOW_END = "2024-01-31T00:00:00+00:00"
# The operations a windowed report sync makes, and the two hosts that are not SP-API.
REPORT_OPERATIONS = ("createReport", "getReport", "getReportDocument")


def got(run: TapRun, stream: str = ALL_ORDERS) -> list[dict[str, Any]]:
    assert run.error is None and run.returncode == 0, run.stderr[-3000:]
    return [strip_added(r) for r in run.records(stream)]


def want(sim: Simulator, stream: str = ALL_ORDERS, end: str = END) -> list[dict[str, Any]]:
    rows = expected(sim, stream, US, START, end)
    assert rows, "the simulator has data for this range"
    return rows


def statuses(sim: Simulator, key: str) -> list[int]:
    """Statuses the simulator answered for one operation, the token endpoint or the document host."""
    if key == "lwa":
        return [r.status for r in sim.requests if r.path == "/auth/o2/token"]
    if key == "document":
        return [r.status for r in sim.requests if r.path.startswith("/_documents/")]
    return [r.status for r in sim.requests if r.operation == key]


def when(sim: Simulator, condition: Callable[[], bool], action: Callable[[], None]) -> threading.Thread:
    """Run `action` once `condition` holds (checked every few ms) while a sync runs."""
    done = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 30
        while not done.is_set() and time.monotonic() < deadline:
            if condition():
                action()
                return
            time.sleep(0.003)

    thread = threading.Thread(target=watch, daemon=True)
    thread.done = done  # type: ignore[attr-defined]
    thread.start()
    return thread


# Throttling and server errors


@pytest.mark.parametrize("rate_header", [True, False], ids=["with-rate-header", "without-rate-header"])
def test_throttle_storm_on_every_operation_loses_nothing(sim: Simulator, rate_header: bool):
    sim.set_faults(
        rate_limit_header=rate_header,
        throttle={**dict.fromkeys(REPORT_OPERATIONS, 5), "lwa": 3},
    )
    run = run_tap(make_config(sim, end_date=END), streams=[ALL_ORDERS])
    assert got(run) == want(sim)
    for key in (*REPORT_OPERATIONS, "lwa"):
        assert statuses(sim, key).count(429) == (3 if key == "lwa" else 5), key
    assert "HTTP 429 QuotaExceeded; retrying" in run.stderr


def test_the_rate_limit_header_switch_removes_the_header_amazon_may_leave_out(sim: Simulator):
    import requests

    form = {
        "grant_type": "refresh_token",
        "refresh_token": sim.credentials.refresh_token,
        "client_id": sim.credentials.client_id,
        "client_secret": sim.credentials.client_secret,
    }
    token = requests.post(f"{sim.url}/auth/o2/token", data=form, timeout=5).json()["access_token"]
    url = f"{sim.url}/reports/2021-06-30/reports"
    headers = {"x-amz-access-token": token}
    params = {"reportTypes": ALL_ORDERS}
    assert "x-amzn-RateLimit-Limit" in requests.get(url, params=params, headers=headers, timeout=5).headers
    sim.set_faults(rate_limit_header=False)
    assert "x-amzn-RateLimit-Limit" not in requests.get(url, params=params, headers=headers, timeout=5).headers


def test_throttle_storm_on_listing_reports_loses_nothing(sim: Simulator):
    from datetime import datetime, timedelta, timezone

    # Without the header the tap keeps the models' rates, unscaled: 20 days of settlements (one per
    # 14-day period and currency of the host) stay within getReportDocument's burst of 15.
    start = (datetime.now(timezone.utc) - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    clean = run_tap(make_config(sim, start_date=start, end_date=None), streams=[SETTLEMENTS])
    sim.reset()
    sim.set_faults(throttle={"getReports": 5, "getReportDocument": 2}, rate_limit_header=False)
    run = run_tap(make_config(sim, start_date=start, end_date=None), streams=[SETTLEMENTS])
    assert got(run, SETTLEMENTS) == got(clean, SETTLEMENTS) != []
    assert statuses(sim, "getReports").count(429) == 5


def test_throttle_storm_longer_than_the_retries_fails_with_one_line_and_keeps_the_bookmark(sim: Simulator):
    # The first window goes through; then getReport is refused for longer than the 8 tries. The
    # later windows' reports take long enough that they still need polling after the first download.
    sim.set_faults(processing_delays=[0.05] + [2.0] * 6)
    thread = when(
        sim,
        lambda: any(r.path.startswith("/_documents/") for r in sim.requests),
        lambda: sim.set_faults(throttle={"getReport": 1000}),
    )
    try:
        run = run_tap(make_config(sim, end_date=END), streams=[ALL_ORDERS])
    finally:
        thread.done.set()  # type: ignore[attr-defined]
        thread.join()
    assert run.error is not None
    assert str(run.error) == "getReport still failing after 8 tries: HTTP 429 QuotaExceeded"
    bookmark = run.bookmark(ALL_ORDERS, US)
    assert bookmark in (None, FIRST_WINDOW_END)
    # Exactly the windows up to the bookmark were emitted.
    assert [strip_added(r) for r in run.records(ALL_ORDERS)] == (
        expected(sim, ALL_ORDERS, US, START, bookmark) if bookmark else []
    )


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_bursts_everywhere_lose_nothing(sim: Simulator, status: int):
    keys = (*REPORT_OPERATIONS, "lwa", "document")
    sim.set_faults(server_error_status=status, server_error=dict.fromkeys(keys, 3))
    run = run_tap(make_config(sim, end_date=END), streams=[ALL_ORDERS])
    assert got(run) == want(sim)
    for key in keys:
        assert statuses(sim, key).count(status) == 3, key


# Connections that drop or hang


def test_connection_resets_everywhere_lose_nothing(sim: Simulator):
    keys = (*REPORT_OPERATIONS, "lwa", "document")
    sim.set_faults(reset_connection=dict.fromkeys(keys, 2))
    run = run_tap(make_config(sim, end_date=END), streams=[ALL_ORDERS])
    assert got(run) == want(sim)
    for key in keys:
        assert statuses(sim, key).count(0) == 2, key
    assert "connection error (ConnectionError)" in run.stderr


def test_requests_that_hang_past_the_timeout_are_retried_and_lose_nothing(sim: Simulator):
    keys = (*REPORT_OPERATIONS, "lwa", "document")
    sim.set_faults(hang=dict.fromkeys(keys, 1), hang_seconds=1.0)
    run = run_tap(make_config(sim, end_date=END, request_timeout_seconds=0.3), streams=[ALL_ORDERS])
    assert got(run) == want(sim)
    for key in keys:
        assert statuses(sim, key).count(0) == 1, key
    assert "ReadTimeout" in run.stderr


# Downloads


@pytest.mark.parametrize("fault", ["break_document", "stall_document", "truncate_document"])
def test_a_broken_download_is_fetched_again_and_every_record_is_emitted_exactly_once(sim: Simulator, fault: str):
    sim.set_faults(**{fault: {ALL_ORDERS: 2}}, hang_seconds=1.0)
    run = run_tap(make_config(sim, end_date=END, request_timeout_seconds=0.3), streams=[ALL_ORDERS])
    # Not one record twice, not one missing: the same list, in the same order, as the data.
    assert got(run) == want(sim)
    assert "downloading it again" in run.stderr
    downloads = statuses(sim, "document")
    assert len(downloads) == 4  # two windows, each downloaded twice
    # A download that breaks off reuses its URL (still fresh) instead of spending a getReportDocument.
    assert len(statuses(sim, "getReportDocument")) == 2


def test_a_download_broken_after_records_were_emitted_skips_them_on_the_second_download():
    # A document larger than one read of the tap (256 KiB), so that records are emitted before the
    # connection drops: the second download must skip exactly those.
    with Simulator(seed=3, rows=12000, processing_delay=0.05, rate_scale=2000) as big:
        big.set_faults(break_document={LISTINGS: 1})
        run = run_tap(make_config(big), streams=[LISTINGS])
        assert big.violations == []
    records = got(run, LISTINGS)
    assert records == expected(big, LISTINGS, US, START, END)
    assert len({r["seller_sku"] for r in records}) == len(records)
    warning = next(line for line in run.stderr.splitlines() if "downloading it again" in line)
    already = int(warning.split(" after ")[1].split(" records")[0])
    assert 0 < already < len(records)


def test_an_expired_document_url_is_replaced_by_a_new_one(sim: Simulator):
    sim.set_faults(expired_document_url={ALL_ORDERS: 1})
    run = run_tap(make_config(sim, end_date=END), streams=[ALL_ORDERS])
    assert got(run) == want(sim)
    assert statuses(sim, "document").count(403) == 1
    # Two windows, one URL each, plus a new one for the expired URL.
    assert len(statuses(sim, "getReportDocument")) == 3
    assert "asking for a new URL" in run.stderr


def test_a_download_that_keeps_failing_stops_the_sync_with_the_bookmark_before_it(sim: Simulator):
    sim.set_faults(truncate_document={ALL_ORDERS: 100})
    run = run_tap(make_config(sim, end_date=END), streams=[ALL_ORDERS])
    assert run.error is not None
    message = str(run.error)
    assert message.startswith(f"{ALL_ORDERS} report ") and "gave up after 4 downloads" in message
    assert run.bookmark(ALL_ORDERS, US) is None
    assert statuses(sim, "document") == [200] * 4


# Reports that never finish, and tokens


@pytest.mark.parametrize(
    ("where", "outcome"),
    [("IN_QUEUE", "cancelled it on Amazon's side"), ("IN_PROGRESS", "Amazon did not cancel it")],
)
def test_a_report_stuck_past_the_maximum_wait_is_cancelled_and_reported(sim: Simulator, where: str, outcome: str):
    sim.set_faults(stuck={ALL_ORDERS: 1}, stuck_status=where, throttle={"cancelReport": 2})
    run = run_tap(make_config(sim, end_date=END, max_report_wait_seconds=1), streams=[ALL_ORDERS])
    assert run.error is not None
    message = str(run.error)
    assert f"still {where} after 1 s; {outcome}" in message
    assert message.startswith(f"{ALL_ORDERS} [{US}] 2024-01-01T00:00:00+00:00..{FIRST_WINDOW_END}: report ")
    cancels = statuses(sim, "cancelReport")
    assert cancels == [429, 429, 200] if where == "IN_QUEUE" else cancels == [429, 429, 400]
    assert run.records(ALL_ORDERS) == []
    assert run.bookmark(ALL_ORDERS, US) is None


def test_the_access_token_expiring_while_waiting_on_a_long_report_is_renewed(sim: Simulator):
    # Tokens live one second, the report takes more than two: the tap renews before expiry, and
    # when Amazon expires a token early (right after the first poll) it renews on the 403 and
    # repeats the call.
    sim.set_faults(token_ttl=1.0, processing_delay=2.3)
    thread = when(sim, lambda: 200 in statuses(sim, "getReport"), lambda: sim.set_faults(expire_tokens=True))
    try:
        run = run_tap(make_config(sim, end_date="2024-01-31T00:00:00Z"), streams=[ALL_ORDERS])
    finally:
        thread.done.set()  # type: ignore[attr-defined]
        thread.join()
    assert got(run) == want(sim, end="2024-01-31T00:00:00Z")
    assert statuses(sim, "getReport").count(403) == 1
    assert len(statuses(sim, "lwa")) >= 3


def test_a_refresh_token_revoked_mid_sync_stops_with_one_line_and_no_retry(sim: Simulator, tmp_path: Path):
    def revoke() -> None:
        sim.set_faults(invalid_grant=True, expire_tokens=True)

    thread = when(sim, lambda: 200 in statuses(sim, "document"), revoke)
    try:
        # Oldest first: the bookmark says which windows were out before the token was revoked.
        config = make_config(sim, end_date=END, period_in_days=10, newest_first=False)
        run = run_cli(config, "--catalog", catalog_file(sim, tmp_path))
    finally:
        thread.done.set()  # type: ignore[attr-defined]
        thread.join()
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "| ERROR" in line]
    assert errors[-1].endswith(
        "Login with Amazon refused the refresh token (invalid_grant): it is wrong, expired or was revoked. "
        "Re-authorize the app and set a new refresh_token."
    )
    # One refused token request: invalid_grant is never retried.
    assert statuses(sim, "lwa")[-1] == 400 and statuses(sim, "lwa").count(400) == 1
    bookmark = run.bookmark(ALL_ORDERS, US)
    assert bookmark is not None and bookmark < "2024-03-01"
    assert [strip_added(r) for r in run.records(ALL_ORDERS)] == expected(sim, ALL_ORDERS, US, START, bookmark)


def catalog_file(sim: Simulator, directory: Path, streams: tuple[str, ...] = (ALL_ORDERS,)) -> str:
    """A catalog file selecting `streams` only, for the CLI."""
    path = directory / "catalog.json"
    path.write_text(json.dumps(catalog_for(make_config(sim), list(streams))))
    return str(path)
