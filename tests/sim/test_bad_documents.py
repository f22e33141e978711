"""Damaged report documents, served over HTTP by the simulator's ``document_mutation`` fault.

What the tap does with each (README, "What happens when"):
- a row with fewer fields than the header: the missing trailing fields are empty (Amazon drops
  trailing empty fields), and a warning counts such rows;
- a row with more fields than the header: the sync stops with one line naming the report and the
  line, before the bookmark moves (the columns of such a row cannot be told apart);
- a column the stream does not know: kept, as text, in the record's ``extra_columns`` (JSON keys
  too, with their JSON value), and named in a warning;
- a value that cannot be read as its column's type: that column is null and the value is kept,
  as text, in ``unparsed_values``; a warning counts them per column;
- a huge single field: loaded whole;
- XML that declares entities (expansion bombs, external entities): refused before any expansion;
- bytes that are not valid in the document's charset: the sync stops with one line naming the
  report and the offset; nothing is guessed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import START, make_config
from tests.sim.test_faults import catalog_file
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.mutations import HUGE_FIELD, NEW_COLUMN, UNTYPABLE, new_column_value
from tests.support.expectations import expected, strip_added
from tests.support.record_schemas import assert_records_match_schemas
from tests.support.tap_runner import TapRun, run_cli, run_tap

US = "ATVPDKIKX0DER"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
BROWSE_TREE = "GET_XML_BROWSE_TREE_DATA"
SALES = "GET_SALES_AND_TRAFFIC_REPORT"
SALES_BY_DATE = "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE"
END = "2024-03-01T00:00:00Z"
WINDOWS = (("2024-01-01T00:00:00Z", "2024-01-31T00:00:00Z"), ("2024-01-31T00:00:00Z", END))


# An All Orders document holds every marketplace of the host, and the damage sits in its first row;
# the simulator's JP documents hold JP's orders alone, so that row is always the synced marketplace's.
JP = "A1VC38T7YXB528"


def damaged(sim: Simulator, mutation: str, stream: str = ALL_ORDERS, **config: Any) -> TapRun:
    sim.set_faults(document_mutation={stream if stream != SALES_BY_DATE else SALES: mutation})
    region = {"region": "JP"} if stream == ALL_ORDERS else {}
    return run_tap(make_config(sim, **{"end_date": END, **region, **config}), streams=[stream])


def per_window(sim: Simulator) -> list[list[dict[str, Any]]]:
    """The expected All Orders records (of JP), document by document."""
    return [expected(sim, ALL_ORDERS, JP, start, end) for start, end in WINDOWS]


def records(run: TapRun, stream: str = ALL_ORDERS) -> list[dict[str, Any]]:
    assert run.error is None, run.stderr[-3000:]
    assert_records_match_schemas(run)
    return [strip_added(r) for r in run.records(stream)]


def test_a_row_with_fewer_fields_reads_the_missing_trailing_fields_as_empty(sim: Simulator):
    run = damaged(sim, "short_row")
    want = []
    for rows in per_window(sim):
        first = dict(rows[0])
        first.update(is_business_order=None, purchase_order_number=None, price_designation=None)
        want += [first, *rows[1:]]
    assert records(run) == want
    assert run.stderr.count("1 rows had fewer fields than the header") == 2


def test_a_row_with_more_fields_stops_the_sync_with_one_line_naming_the_report_and_line(sim: Simulator, tmp_path: Path):
    sim.set_faults(document_mutation={ALL_ORDERS: "extra_field"})
    run = run_cli(make_config(sim, end_date=END), "--catalog", catalog_file(sim, tmp_path))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    error = [line for line in run.stderr.splitlines() if "| ERROR" in line][-1]
    assert f"| {ALL_ORDERS} report " in error
    assert error.endswith(
        ": line 2 has 32 fields but the header has 31 (a value with a tab in it?), so its columns cannot be "
        "told apart; the bookmark stays before this window"
    )
    assert run.bookmark(ALL_ORDERS, US) is None
    assert run.records(ALL_ORDERS) == []


def test_an_unknown_new_column_is_kept_in_extra_columns_and_announced(sim: Simulator):
    run = damaged(sim, "new_column")
    want = [
        {**row, "extra_columns": {"new_amazon_column": new_column_value(number)}}
        for rows in per_window(sim)
        for number, row in enumerate(rows, start=1)
    ]
    assert records(run) == want
    assert run.stderr.count("columns not in the stream's schema, kept in extra_columns: new_amazon_column") == 2
    # Every known column still lands under its own name: the new one shifted nothing.
    assert NEW_COLUMN.replace("-", "_") not in run.records(ALL_ORDERS)[0]


def test_an_unknown_json_key_is_kept_top_level_in_extra_columns_and_nested_in_place(sim: Simulator):
    for stream in (SALES, SALES_BY_DATE):
        sim.reset()
        run = damaged(sim, "new_key", stream, end_date="2024-02-01T00:00:00Z")
        want = []
        for row in expected(sim, stream, US, START, "2024-02-01T00:00:00Z"):
            row = {**row, "extra_columns": {"new_metric": 7}}
            if stream == SALES:
                row["sales_by_asin"] = {"new_thing": 1, **row["sales_by_asin"]}
            want.append(row)
        assert want and records(run, stream) == want
        assert "keys not in the stream's schema, kept in extra_columns: new_metric" in run.stderr


def test_values_that_cannot_be_typed_are_null_and_kept_as_text_in_unparsed_values(sim: Simulator):
    run = damaged(sim, "untypable")
    unparsed = {header.replace("-", "_"): raw for header, raw in UNTYPABLE.items()}
    want = []
    for rows in per_window(sim):
        first = {**rows[0], **dict.fromkeys(unparsed), "unparsed_values": unparsed}
        want += [first, *rows[1:]]
    assert records(run) == want
    assert run.bookmark(ALL_ORDERS, JP) == "2024-03-01T00:00:00+00:00"
    assert (
        run.stderr.count(
            "values that could not be typed were loaded as null and kept as text in unparsed_values: "
            "purchase_date (1), quantity (1), item_price (1), is_business_order (1)"
        )
        == 2
    )


def test_a_huge_single_field_is_loaded_whole(sim: Simulator):
    run = damaged(sim, "huge_field", end_date="2024-01-31T00:00:00Z")
    rows = per_window(sim)[0]
    assert records(run) == [{**rows[0], "product_name": HUGE_FIELD}, *rows[1:]]


@pytest.mark.parametrize(("region", "codec"), [("US", "utf-8"), ("DE", "cp1252"), ("JP", "cp932")])
def test_bytes_invalid_in_the_charset_stop_the_sync_naming_the_report(sim: Simulator, region: str, codec: str):
    run = damaged(sim, "invalid_bytes", LISTINGS, region=region)
    assert run.error is not None
    message = str(run.error)
    assert message.startswith(f"{LISTINGS} report ")
    assert f"are not valid {codec} (b'\\x81 " in message and message.endswith("refusing to guess")
    assert run.records(LISTINGS) == []


@pytest.mark.parametrize("mutation", ["entity_expansion", "external_entity"])
def test_xml_that_declares_entities_is_refused_without_expanding_them(sim: Simulator, mutation: str):
    run = damaged(sim, mutation, BROWSE_TREE)
    assert run.error is not None
    assert str(run.error).startswith(f"{BROWSE_TREE} report ")
    assert str(run.error).endswith("the XML document declares entities; refusing to expand them")
    assert run.records(BROWSE_TREE) == []
    assert "root:" not in run.output  # nothing of /etc/passwd


REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"


@pytest.mark.parametrize("stream", [REIMBURSEMENTS, LEDGER])
def test_identical_rows_apart_in_a_document_keep_distinct_keys(sim: Simulator, stream: str):
    # A keyless report's row_key tells identical rows apart by their count, wherever they stand:
    # a warehouse upserting by key must keep both.
    end = "2024-02-01T00:00:00Z"
    sim.set_faults(document_mutation={stream: "repeated_row"})
    run = run_tap(make_config(sim, end_date=end, period_in_days=31), streams=[stream])
    assert run.error is None, run.stderr[-3000:]
    got = run.records(stream)
    want = expected(sim, stream, US, START, end, 31)
    assert len(got) == len(want) + 1
    assert strip_added(got[-1]) == strip_added(got[0])
    assert len({r["row_key"] for r in got}) == len(got)
    assert got[-1]["row_key"] == got[0]["row_key"] + "-1"


def test_a_ledger_row_whose_quantities_amazon_revised_keeps_its_key(sim: Simulator):
    end = "2024-02-01T00:00:00Z"
    config = make_config(sim, end_date=end, period_in_days=31)
    first = run_tap(config, streams=[LEDGER])
    sim.set_faults(document_mutation={LEDGER: "revised_quantities"})
    again = run_tap(config, streams=[LEDGER])
    assert first.error is None and again.error is None, again.stderr[-3000:]
    before, after = first.records(LEDGER), again.records(LEDGER)
    assert before
    assert [r["row_key"] for r in after] == [r["row_key"] for r in before]
    for a, b in zip(after, before, strict=True):
        assert a["reconciled_quantity"] == (b["reconciled_quantity"] or 0) + 1
        assert a["unreconciled_quantity"] == (b["unreconciled_quantity"] or 0) + 1
