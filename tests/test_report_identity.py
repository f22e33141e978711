"""Which existing reports a sync may take for its windows: from state, from Amazon's listing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import START, make_config
from tests.expectations import expected, strip_added
from tests.spapi_simulator import Simulator
from tests.tap_runner import report_requests, run_tap

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
FIRST_WINDOW = "2024-01-01T00:00:00+00:00/2024-01-31T00:00:00+00:00"


def state_naming(report_id: str) -> dict[str, Any]:
    """A state whose first All Orders window names `report_id` as its pending report."""
    return {"bookmarks": {ALL_ORDERS: {"partitions": [{
        "context": {"marketplace_id": US},
        "pending_reports": {FIRST_WINDOW: {"report_id": report_id, "options": "{}", "created": START}},
    }]}}}


@pytest.mark.parametrize(("planted", "difference"), [
    ((RETURNS, [US], "2024-01-01T00:00:00Z", "2024-01-31T00:00:00Z"), f"its type is {RETURNS}, not {ALL_ORDERS}"),
    ((ALL_ORDERS, [US], "2024-01-02T00:00:00Z", "2024-01-31T00:00:00Z"), "its window is 2024-01-02T00:00:00Z.."),
    ((ALL_ORDERS, [CA], "2024-01-01T00:00:00Z", "2024-01-31T00:00:00Z"), f"its marketplaces are {CA}, not {US}"),
], ids=["type", "window", "marketplaces"])
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
