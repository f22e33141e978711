"""Buyer-identifying report columns and `include_pii`, synced over HTTP against the simulator.

Off (the default), the columns a report's catalogue row lists as PII are null in every record while
staying in the schema, and an undeclared column whose name says PII is nulled in `extra_columns`;
on, both carry what Amazon sent. Neither way is a PII value ever logged.
"""

from __future__ import annotations

from typing import Any

import pytest

from tap_amazon_sp.catalogue import BY_STREAM, PII_DESCRIPTION
from tests.conftest import START, make_config
from tests.sim.test_bad_documents import damaged, per_window
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.mutations import NEW_PII_COLUMN, new_pii_value
from tests.support.expectations import expected, strip_added
from tests.support.tap_runner import TapRun, run_tap

US = "ATVPDKIKX0DER"
SHIPMENTS = "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"
FEEDBACK = "GET_SELLER_FEEDBACK_DATA"
STREAMS = (SHIPMENTS, FEEDBACK)
END = "2024-03-01T00:00:00Z"
# The PII columns the simulator's documents fill.
FILLED = {
    SHIPMENTS: {
        "buyer_email",
        "buyer_name",
        "buyer_phone_number",
        "recipient_name",
        "ship_address_1",
        "ship_address_2",
        "ship_phone_number",
    },
    FEEDBACK: {"rater_email"},
}
# What Amazon's unrestricted order reports carry too: never withheld.
KEPT = ("ship_city", "ship_state", "ship_postal_code", "ship_country")


def sync(sim: Simulator, **config: Any) -> TapRun:
    run = run_tap(make_config(sim, end_date=END, **config), streams=list(STREAMS))
    assert run.error is None, run.stderr[-3000:]
    return run


def sent(sim: Simulator, stream: str) -> list[dict[str, Any]]:
    """The records as the simulator's documents hold them, PII included."""
    return expected(sim, stream, US, START, END, include_pii=True)


def pii_values(sim: Simulator) -> set[str]:
    values: set[str] = set()
    for stream in STREAMS:
        for record in sent(sim, stream):
            values.update(str(record[name]) for name in BY_STREAM[stream].pii_columns if record[name])
    return values


def test_without_include_pii_the_pii_columns_of_reports_are_null_and_never_printed(sim: Simulator):
    run = sync(sim)
    for stream in STREAMS:
        pii = BY_STREAM[stream].pii_columns
        documents = sent(sim, stream)
        got = [strip_added(r) for r in run.records(stream)]
        # The documents had values in PII columns (the simulator leaves billing streets empty, as
        # Amazon mostly does); the records have none.
        assert len(got) == len(documents) > 0
        filled = {name for name in pii if any(record[name] for record in documents)}
        assert filled == FILLED[stream]
        assert [name for record in got for name in pii if record[name] is not None] == []
        # Everything else is as sent.
        assert got == [{**record, **dict.fromkeys(pii)} for record in documents]
    shipments = [strip_added(r) for r in run.records(SHIPMENTS)]
    assert all(any(record[name] for record in shipments) for name in KEPT)
    leaked = [value for value in pii_values(sim) if value in run.stdout or value in run.stderr]
    assert leaked == []


def test_with_include_pii_the_pii_columns_equal_the_documents_and_are_never_logged(sim: Simulator):
    run = sync(sim, include_pii=True)
    for stream in STREAMS:
        assert [strip_added(r) for r in run.records(stream)] == sent(sim, stream)
    values = pii_values(sim)
    assert values
    assert [value for value in values if value in run.stderr] == []


def test_pii_columns_stay_in_the_schema_and_say_so(sim: Simulator):
    run = sync(sim)
    schemas = {m["stream"]: m["schema"] for m in run.messages if m["type"] == "SCHEMA"}
    for stream in STREAMS:
        properties = schemas[stream]["properties"]
        for name in BY_STREAM[stream].pii_columns:
            assert properties[name]["description"] == PII_DESCRIPTION
        assert "description" not in properties["order_id" if stream == FEEDBACK else "amazon_order_id"]


@pytest.mark.parametrize("include_pii", [False, True])
def test_an_undeclared_pii_column_is_nulled_in_extra_columns_unless_include_pii(sim: Simulator, include_pii: bool):
    run = damaged(sim, "new_pii_column", include_pii=include_pii)
    assert run.error is None, run.stderr[-3000:]
    name = NEW_PII_COLUMN.replace("-", "_")
    rows = [row for window in per_window(sim) for row in window]
    want = [
        {**row, "extra_columns": {name: new_pii_value(number) if include_pii else None}}
        for window in per_window(sim)
        for number, row in enumerate(window, start=1)
    ]
    assert len(rows) > 0
    assert [strip_added(r) for r in run.records()] == want
    # The column is announced by name, its values never.
    assert name in run.stderr
    assert [n for n in range(1, len(rows) + 1) if new_pii_value(n) in run.stderr] == []
    if not include_pii:
        assert [n for n in range(1, len(rows) + 1) if new_pii_value(n) in run.stdout] == []


def test_only_report_columns_known_to_identify_a_buyer_are_withheld():
    # Every listed PII column is one of its report's columns, and no report withholds where the
    # buyer's city, state, postal code or country go.
    for spec in BY_STREAM.values():
        declared = {name for name, _kind in spec.columns}
        assert set(spec.pii_columns) <= declared, spec.stream
        assert not [name for name in spec.pii_columns if name.endswith(("_city", "_state", "_postal_code", "_country"))]


def test_pii_columns_are_text_so_no_pii_value_can_land_in_unparsed_values():
    for spec in BY_STREAM.values():
        kinds = dict(spec.columns)
        assert all(kinds[name] == "t" for name in spec.pii_columns), spec.stream
