"""Which existing reports a sync may take for its windows: from state, from Amazon's listing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import START, make_config
from tests.spapi_simulator import Simulator
from tests.support.expectations import expected, strip_added
from tests.support.tap_runner import report_requests, run_tap

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
FIRST_WINDOW = "2024-01-01T00:00:00+00:00/2024-01-31T00:00:00+00:00"


def state_naming(report_id: str) -> dict[str, Any]:
    """A state whose first All Orders window names `report_id` as its pending report."""
    return {
        "bookmarks": {
            ALL_ORDERS: {
                "partitions": [
                    {
                        "context": {"marketplace_id": US},
                        "pending_reports": {FIRST_WINDOW: {"report_id": report_id, "options": "{}", "created": START}},
                    }
                ]
            }
        }
    }


@pytest.mark.parametrize(
    ("planted", "difference"),
    [
        ((RETURNS, [US], "2024-01-01T00:00:00Z", "2024-01-31T00:00:00Z"), f"its type is {RETURNS}, not {ALL_ORDERS}"),
        ((ALL_ORDERS, [US], "2024-01-02T00:00:00Z", "2024-01-31T00:00:00Z"), "its window is 2024-01-02T00:00:00Z.."),
        ((ALL_ORDERS, [CA], "2024-01-01T00:00:00Z", "2024-01-31T00:00:00Z"), f"its marketplaces are {CA}, not {US}"),
    ],
    ids=["type", "window", "marketplaces"],
)
def test_a_report_in_state_of_another_type_window_or_marketplace_is_not_adopted(
    sim: Simulator, planted: tuple[str, list[str], str, str], difference: str
):
    report_id = sim.plant_report(*planted)
    end = "2024-02-01T00:00:00Z"
    run = run_tap(make_config(sim, end_date=end), streams=[ALL_ORDERS], state=state_naming(report_id))
    assert run.error is None, run.stderr
    # Both windows requested anew, and the records are the windows' own.
    assert len(report_requests(sim.requests, ALL_ORDERS)) == 2
    assert [strip_added(r) for r in run.records(ALL_ORDERS)] == expected(sim, ALL_ORDERS, US, START, end)
    assert report_id not in {r["report_id"] for r in run.records(ALL_ORDERS)}
    warnings = [line for line in run.stderr.splitlines() if f"report {report_id} in state" in line]
    assert len(warnings) == 1, run.stderr
    assert ALL_ORDERS in warnings[0] and "2024-01-01T00:00:00+00:00..2024-01-31T00:00:00+00:00" in warnings[0]
    assert difference in warnings[0] and "requesting the window anew" in warnings[0]
    assert run.bookmark(ALL_ORDERS, US) == "2024-02-01T00:00:00+00:00"


SALES = "GET_SALES_AND_TRAFFIC_REPORT"
SALES_BY_DATE = "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE"
# Windows no other test asks for, so reports of earlier tests in the session's simulator never match.
ODD_START, ODD_END = "2024-03-03T00:00:00Z", "2024-03-20T00:00:00Z"


def test_every_report_type_says_whether_it_takes_options_and_how_often_amazon_regenerates_it():
    from tap_amazon_sp.catalogue import DAILY, NEAR_REAL_TIME, REPORT_TYPES, REPORTS

    assert {spec.report_type for spec in REPORTS} <= set(REPORT_TYPES)
    for spec in REPORTS:
        if spec.default_options or spec.analytics is not None:
            assert spec.takes_options, spec.stream
        assert spec.regeneration in (None, NEAR_REAL_TIME, DAILY)
        if "ALL_ORDERS" in spec.report_type:
            assert spec.regeneration is None, "Amazon exempts the All Orders reports from the FBA limits"


def test_an_in_queue_report_another_app_asked_for_is_adopted_not_requested_again(sim: Simulator):
    # In the queue for 1 s, then in progress until 3 s: a loaded machine may start the tap late.
    planted = sim.plant_report(ALL_ORDERS, [US], ODD_START, ODD_END, delay=3)
    assert sim.reports.get(planted)["processingStatus"] == "IN_QUEUE"
    config = make_config(sim, start_date=ODD_START, end_date=ODD_END, report_reuse_max_age_hours=1)
    run = run_tap(config, streams=[ALL_ORDERS])
    assert run.error is None, run.stderr
    assert report_requests(sim.requests, ALL_ORDERS) == []
    assert [r.operation for r in sim.requests].count("getReports") == 1
    records = run.records(ALL_ORDERS)
    assert records and {r["report_id"] for r in records} == {planted}
    assert [strip_added(r) for r in records] == expected(sim, ALL_ORDERS, US, ODD_START, ODD_END)
    assert re.search(rf"reusing the IN_(QUEUE|PROGRESS) report {planted}", run.stderr), run.stderr


def test_reports_of_unknown_options_are_never_reused_and_the_tap_shares_its_own(sim: Simulator):
    # Another app asked for this window per SKU: one is DONE, one still in the queue. Amazon's
    # listing does not show their options, so an option-free sync (per parent ASIN) takes neither.
    last_second = "2024-03-19T23:59:59Z"
    filtered = {"asinGranularity": "SKU"}
    done = sim.plant_report(SALES, [US], ODD_START, last_second, filtered)
    queued = sim.plant_report(SALES, [US], ODD_START, last_second, filtered, delay=5)
    config = make_config(sim, start_date=ODD_START, end_date=ODD_END, report_reuse_max_age_hours=1)
    run = run_tap(config, streams=[SALES, SALES_BY_DATE])
    assert run.error is None, run.stderr
    for stream in (SALES, SALES_BY_DATE):
        records = run.records(stream)
        assert records and not {r["report_id"] for r in records} & {done, queued}
        assert [strip_added(r) for r in records] == expected(sim, stream, US, ODD_START, ODD_END)
    # The two streams of one report type and options share the report the tap asked for.
    assert len(report_requests(sim.requests, SALES)) == 1
    assert {r["report_id"] for r in run.records(SALES)} == {r["report_id"] for r in run.records(SALES_BY_DATE)}
    # Nothing is listed for a type whose reports may carry options.
    assert [r for r in sim.requests if r.operation == "getReports"] == []
