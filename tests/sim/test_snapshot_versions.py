"""Snapshot streams end with ACTIVATE_VERSION, so a target soft-deletes the rows Amazon no longer
has; only after the whole snapshot is out, never for windowed streams, never after a failure."""

from __future__ import annotations

from typing import Any

from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import TapRun, run_tap

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
END = "2024-03-01T00:00:00Z"


def of(run: TapRun, stream: str) -> list[dict[str, Any]]:
    return [m for m in run.messages if m.get("stream") == stream and m["type"] in ("RECORD", "ACTIVATE_VERSION")]


def test_a_snapshot_ends_with_one_activate_version_of_the_version_its_records_carry(sim: Simulator):
    run = run_tap(make_config(sim, end_date=END, marketplace_ids=[US, CA]), streams=[LISTINGS, ORDERS])
    assert run.error is None, run.stderr[-3000:]
    listings = of(run, LISTINGS)
    records = [m for m in listings if m["type"] == "RECORD"]
    assert {r["record"]["marketplace_id"] for r in records} == {US, CA}
    version = records[0]["version"]
    assert isinstance(version, int) and {r["version"] for r in records} == {version}
    # One, after the last record of both marketplaces' snapshots.
    assert listings[-1] == {"type": "ACTIVATE_VERSION", "stream": LISTINGS, "version": version}
    assert [m["type"] for m in listings].count("ACTIVATE_VERSION") == 1
    # A windowed stream is loaded window by window: no version, nothing to deactivate.
    orders = of(run, ORDERS)
    assert orders and all(m["type"] == "RECORD" and "version" not in m for m in orders)


def test_a_snapshot_that_failed_sends_no_activate_version(sim: Simulator):
    # The US snapshot ends FATAL (no retry); Canada's is read: the snapshot is not whole.
    sim.set_faults(fatal={LISTINGS: 1})
    config = make_config(sim, end_date=END, marketplace_ids=[US, CA], fatal_report_retries=0)
    run = run_tap(config, streams=[LISTINGS])
    assert run.error is not None
    listings = of(run, LISTINGS)
    assert any(m["type"] == "RECORD" for m in listings), run.stderr[-3000:]
    assert all(m["type"] == "RECORD" for m in listings)


def test_a_snapshot_of_a_named_account_sends_no_activate_version(sim: Simulator):
    # Accounts labelled by account_id share one table; target-postgres deactivates every row of an
    # older version in the table, so one account's ACTIVATE_VERSION would delete the others' rows.
    run = run_tap(make_config(sim, end_date=END, account_id="A1SELLER"), streams=[LISTINGS])
    assert run.error is None, run.stderr[-3000:]
    listings = of(run, LISTINGS)
    assert listings and all(m["type"] == "RECORD" and "version" not in m for m in listings)
