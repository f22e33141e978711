"""Odd catalogs and states, through the CLI: each is one clear line, and none loses data in silence.

A state the tap cannot read stops it before any request; FULL_TABLE in the catalog reads from
start_date and leaves a state a later INCREMENTAL run can use; a bookmark that leaves nothing to
read says so; streams a catalog names but this account does not have are named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.catalogue import VENDOR_REPORTS
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import TapRun, catalog_for, report_requests, run_cli

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
END = "2024-03-01T00:00:00Z"
WINDOW = "2024-01-01T00:00:00+00:00/2024-01-31T00:00:00+00:00"


def partition(**values: Any) -> dict[str, Any]:
    """A state whose only bookmark is one ALL_ORDERS partition in US."""
    return {"bookmarks": {ALL_ORDERS: {"partitions": [{"context": {"marketplace_id": US}, **values}]}}}


def run_with_catalog(config: dict[str, Any], catalog: dict[str, Any], tmp_path: Path, **kwargs: Any) -> TapRun:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog))
    return run_cli(config, "--catalog", str(path), **kwargs)


def error_lines(run: TapRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if "ERROR" in line or "Traceback" in line]


def warnings_about(run: TapRun, words: str) -> list[str]:
    return [line for line in run.stderr.splitlines() if "WARNING" in line and words in line]


def entry_of(catalog: dict[str, Any], stream: str) -> dict[str, Any]:
    (entry,) = [e for e in catalog["streams"] if e["tap_stream_id"] == stream]
    return entry


def stream_metadata(entry: dict[str, Any]) -> dict[str, Any]:
    (root,) = [m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == []]
    return root


# --- a state the tap cannot read ----------------------------------------------------------------------------

BAD_STATES = {
    "truncated": ('{"bookmarks": {"' + ALL_ORDERS + '": {"partitions": [', "not valid JSON"),
    "not an object": ("[]", "a list instead of an object"),
    "a string": ('"state.json"', "a string instead of an object"),
    "bookmarks not an object": ('{"bookmarks": []}', "bookmarks is a list instead of an object"),
    "partitions not a list": (
        json.dumps({"bookmarks": {ALL_ORDERS: {"partitions": {}}}}),
        "partitions is an object instead of a list",
    ),
    "bookmark not a date-time": (
        json.dumps(partition(replication_key_value="yesterday")),
        'replication_key_value "yesterday" is not a date-time',
    ),
    "bookmark a number": (
        json.dumps(partition(replication_key_value=1704067200)),
        "replication_key_value 1704067200 is not a date-time",
    ),
    "pending report not an object": (
        json.dumps(partition(pending_reports={WINDOW: "12345"})),
        "is a string instead of an object",
    ),
    "pending report without an id": (
        json.dumps(partition(pending_reports={WINDOW: {"options": "{}"}})),
        "report_id is null, not a report id",
    ),
    "pending reports a list": (json.dumps(partition(pending_reports=[])), "pending_reports is a list instead of"),
    "pending queries a number": (json.dumps(partition(pending_queries=5)), "pending_queries is a number instead of"),
    "pending queries a list": (json.dumps(partition(pending_queries=["x"])), "pending_queries is a list instead of"),
    "pending query of no window": (
        json.dumps(partition(pending_queries={"junk": {"query_id": "1"}})),
        "the window is not start/end date-times",
    ),
    "pending query without an id": (
        json.dumps(partition(pending_queries={WINDOW: {"query_id": 12, "page": 1}})),
        "query_id is 12, not a query id",
    ),
    "pending query page not a number": (
        json.dumps(partition(pending_queries={WINDOW: {"query_id": "10001f49d", "page": "abc"}})),
        'page "abc" is not a page number',
    ),
    "pending query page 0": (
        json.dumps(partition(pending_queries={WINDOW: {"query_id": "10001f49d", "page": 0}})),
        "page 0 is not a page number",
    ),
    "loaded range not an object": (
        json.dumps(partition(loaded_range="2024-03-01/2024-04-01")),
        "loaded_range is a string instead of an object",
    ),
    "loaded range without a start": (
        json.dumps(partition(loaded_range={"end": "2024-04-01T00:00:00+00:00"})),
        "loaded_range.start null is not a date-time",
    ),
    "loaded range backwards": (
        json.dumps(partition(loaded_range={"start": "2024-04-01T00:00:00+00:00", "end": "2024-03-01T00:00:00+00:00"})),
        "loaded_range starts at or after its end",
    ),
    "a partition twice": (
        json.dumps({"bookmarks": {ALL_ORDERS: {"partitions": [{"context": {"marketplace_id": US}}] * 2}}}),
        "partitions[1] has the context of",
    ),
}


@pytest.mark.parametrize("case", list(BAD_STATES))
def test_a_bad_state_file_is_one_line_naming_it_and_what_is_wrong_exit_1_and_no_request(
    sim: Simulator, tmp_path: Path, case: str
):
    text, said = BAD_STATES[case]
    state = tmp_path / "state.json"
    state.write_text(text)
    config = make_config(sim, end_date=END)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(config, [ALL_ORDERS])))
    run = run_cli(config, "--catalog", str(catalog), "--state", str(state))
    assert run.returncode == 1
    (line,) = error_lines(run)
    assert f"state {state}: " in line and said in line, line
    assert run.stdout == ""
    assert sim.requests == []


# --- a catalog the tap cannot read --------------------------------------------------------------------------


def _edited(edit: Any) -> Any:
    def make(config: dict[str, Any]) -> str:
        catalog = catalog_for(config, [ALL_ORDERS])
        edit(entry_of(catalog, ALL_ORDERS))
        return json.dumps(catalog)

    return make


BAD_CATALOGS: dict[str, tuple[Any, str]] = {
    "truncated": (lambda config: json.dumps(catalog_for(config, [ALL_ORDERS]))[:500], "not valid JSON"),
    "not an object": (lambda config: "[]", "a list instead of an object"),
    "no streams": (lambda config: "{}", "no streams list"),
    "streams not a list": (lambda config: '{"streams": {}}', "streams is an object instead of a list"),
    "no tap_stream_id": (_edited(lambda e: e.pop("tap_stream_id")), "has no tap_stream_id"),
    "properties not an object": (
        _edited(lambda e: e["schema"].__setitem__("properties", [])),
        "schema.properties is a list instead of",
    ),
    "metadata not a list": (_edited(lambda e: e.__setitem__("metadata", {})), "metadata is an object instead of"),
    "no schema": (_edited(lambda e: e.pop("schema")), "leaves out account_id, amazon_order_id, sku, data_end_time"),
    "no primary key": (
        _edited(lambda e: e["schema"]["properties"].pop("amazon_order_id")),
        "leaves out amazon_order_id, which",
    ),
    "stream renamed": (
        _edited(lambda e: e.__setitem__("stream", "orders_table")),
        '.stream is "orders_table", not its tap_stream_id',
    ),
}


@pytest.mark.parametrize("case", list(BAD_CATALOGS))
def test_a_catalog_the_tap_cannot_read_is_one_line_naming_what_is_wrong_exit_1_and_no_request(
    sim: Simulator, tmp_path: Path, case: str
):
    make, said = BAD_CATALOGS[case]
    config = make_config(sim, end_date=END)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(make(config))
    run = run_cli(config, "--catalog", str(catalog))
    assert run.returncode == 1
    (line,) = error_lines(run)
    assert "catalog" in line and said in line, line
    assert run.stdout == ""
    assert sim.requests == []


# --- FULL_TABLE ---------------------------------------------------------------------------------------------


def full_table(catalog: dict[str, Any], stream: str) -> dict[str, Any]:
    # What Meltano's `metadata: {stream: {replication-method: FULL_TABLE}}` writes.
    stream_metadata(entry_of(catalog, stream))["replication-method"] = "FULL_TABLE"
    return catalog


def keys(run: TapRun, stream: str) -> list[tuple[Any, ...]]:
    return sorted((r["amazon_order_id"], r["sku"], r["data_start_time"]) for r in run.records(stream))


def test_full_table_in_the_catalog_reads_from_start_date_and_leaves_a_state_for_incremental_runs(
    sim: Simulator, tmp_path: Path
):
    config = make_config(sim, end_date=END, period_in_days=30, lookback_days=0)
    catalog = catalog_for(config, [ALL_ORDERS])
    first = run_with_catalog(config, catalog, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    # Half way: a bookmark after the first window.
    state = partition(replication_key="data_end_time", replication_key_value="2024-01-31T00:00:00+00:00")

    sim.clear_requests()
    run = run_with_catalog(config, full_table(catalog_for(config, [ALL_ORDERS]), ALL_ORDERS), tmp_path, state=state)
    assert run.returncode == 0, run.stderr[-3000:]
    assert keys(run, ALL_ORDERS) == keys(first, ALL_ORDERS)
    assert report_requests(sim.requests)[0]["dataStartTime"] == "2024-01-01T00:00:00Z"
    assert f"{ALL_ORDERS} {US}: replication-method FULL_TABLE in the catalog: reading from start_date" in run.stderr
    assert "in full_table mode" in run.stderr
    # The bookmark never moved back while it read the windows before it, and ends where a full sync ends.
    assert all(
        run.bookmark(ALL_ORDERS, US, s) in (None, "2024-01-31T00:00:00+00:00", first.bookmark(ALL_ORDERS, US))
        for s in run.states
    )
    assert "2024-01-31T00:00:00+00:00" in {run.bookmark(ALL_ORDERS, US, s) for s in run.states}
    assert run.bookmark(ALL_ORDERS, US) == first.bookmark(ALL_ORDERS, US)

    # A later INCREMENTAL run from that state starts at its bookmark: nothing left to request.
    sim.clear_requests()
    later = run_with_catalog(config, catalog, tmp_path, state=run.last_state)
    assert later.returncode == 0, later.stderr[-3000:]
    assert report_requests(sim.requests) == [] and later.records() == []


def test_full_table_on_orders_reads_every_window_again(sim: Simulator, tmp_path: Path):
    config = make_config(sim, start_date="2024-05-01T00:00:00Z", end_date="2024-07-10T00:00:00Z", lookback_days=0)
    catalog = catalog_for(config, ["orders"])
    first = run_with_catalog(config, catalog, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.records("orders")
    again = run_with_catalog(config, catalog, tmp_path, state=first.last_state)
    full = run_with_catalog(
        config, full_table(catalog_for(config, ["orders"]), "orders"), tmp_path, state=first.last_state
    )
    assert again.returncode == 0 and full.returncode == 0, again.stderr[-3000:] + full.stderr[-3000:]
    ids = sorted(r["order_id"] for r in first.records("orders"))
    assert sorted(r["order_id"] for r in full.records("orders")) == ids
    assert again.records("orders") == []
    assert (
        full.last_state["bookmarks"]["orders"]["replication_key_value"]
        >= (first.last_state["bookmarks"]["orders"]["replication_key_value"])
    )


def test_a_replication_method_the_tap_cannot_do_is_one_line_and_no_request(sim: Simulator, tmp_path: Path):
    config = make_config(sim, end_date=END)
    catalog = catalog_for(config, [ALL_ORDERS])
    stream_metadata(entry_of(catalog, ALL_ORDERS))["replication-method"] = "LOG_BASED"
    run = run_with_catalog(config, catalog, tmp_path)
    assert run.returncode == 1
    (line,) = error_lines(run)
    assert f"stream {ALL_ORDERS} asks for replication-method LOG_BASED" in line
    assert sim.requests == []


def test_a_catalog_cannot_move_a_bookmark_to_another_column(sim: Simulator, tmp_path: Path):
    config = make_config(sim, end_date=END)
    catalog = catalog_for(config, [ALL_ORDERS])
    entry = entry_of(catalog, ALL_ORDERS)
    entry["replication_key"] = stream_metadata(entry)["replication-key"] = "purchase_date"
    run = run_with_catalog(config, catalog, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    (line,) = warnings_about(run, "replication-key purchase_date")
    assert "its bookmark stays on data_end_time" in line
    (stream_state,) = run.last_state["bookmarks"][ALL_ORDERS]["partitions"]
    assert stream_state["replication_key"] == "data_end_time"
    assert stream_state["replication_key_value"] == "2024-03-01T00:00:00+00:00"


# --- bookmarks that leave nothing to read -------------------------------------------------------------------


def test_a_bookmark_in_the_future_or_after_end_date_warns_once_per_stream_partition(sim: Simulator, tmp_path: Path):
    config = make_config(sim, end_date=END, marketplace_ids=[US, CA])
    catalog = catalog_for(config, [ALL_ORDERS])
    state = {
        "bookmarks": {
            ALL_ORDERS: {
                "partitions": [
                    {
                        "context": {"marketplace_id": US},
                        "replication_key": "data_end_time",
                        "replication_key_value": "2099-01-01T00:00:00+00:00",
                    },
                    {
                        "context": {"marketplace_id": CA},
                        "replication_key": "data_end_time",
                        "replication_key_value": "2024-05-01T00:00:00+00:00",
                    },
                ]
            }
        }
    }
    run = run_with_catalog(config, catalog, tmp_path, state=state)
    assert run.returncode == 0, run.stderr[-3000:]
    said = warnings_about(run, "nothing to read")
    assert len(said) == 2, said
    assert any(f"{ALL_ORDERS} {US}: the bookmark 2099-01-01T00:00:00+00:00 is in the future" in w for w in said)
    assert any(
        f"{ALL_ORDERS} {CA}: the bookmark 2024-05-01T00:00:00+00:00 is after end_date 2024-03-01T00:00:00+00:00" in w
        for w in said
    )
    assert report_requests(sim.requests) == [] and run.records() == []


def test_a_bookmark_where_the_stream_keeps_none_is_named_and_not_used(sim: Simulator, tmp_path: Path):
    config = make_config(sim, end_date=END, lookback_days=0)
    catalog = catalog_for(config, [ALL_ORDERS])
    # A stream-wide bookmark for a stream that keeps one per marketplace (another tap's state, say).
    state = {
        "bookmarks": {
            ALL_ORDERS: {"replication_key": "data_end_time", "replication_key_value": "2024-02-15T00:00:00+00:00"}
        }
    }
    run = run_with_catalog(config, catalog, tmp_path, state=state)
    assert run.returncode == 0, run.stderr[-3000:]
    (line,) = warnings_about(run, "is not where this stream keeps its bookmarks")
    assert f"{ALL_ORDERS}: the state's bookmark 2024-02-15T00:00:00+00:00" in line
    assert "one bookmark per marketplace" in line
    assert report_requests(sim.requests)[0]["dataStartTime"] == "2024-01-01T00:00:00Z"


# --- catalog mismatches -------------------------------------------------------------------------------------


def test_a_catalog_naming_streams_this_account_does_not_have_is_one_warning_naming_them(sim: Simulator, tmp_path: Path):
    vendor_streams = [spec.stream for spec in VENDOR_REPORTS][:2]
    catalog = catalog_for(make_config(sim, account_type="Vendor"), vendor_streams)
    seller = make_config(sim, end_date=END)
    listing = entry_of(catalog_for(seller, [LISTINGS]), LISTINGS)
    unknown = json.loads(json.dumps(listing).replace(LISTINGS, "GET_NO_SUCH_REPORT"))
    catalog["streams"] += [listing, unknown]

    run = run_with_catalog(seller, catalog, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    (line,) = warnings_about(run, "The catalog names")
    assert "streams a Seller account does not have" in line
    for name in [*vendor_streams, "GET_NO_SUCH_REPORT"]:
        assert name in line
    assert "streams tap-amazon-sp does not have: GET_NO_SUCH_REPORT" in line
    assert {m["stream"] for m in run.messages if m["type"] == "RECORD"} == {LISTINGS}


def test_a_catalog_that_selects_no_stream_says_so(sim: Simulator, tmp_path: Path):
    config = make_config(sim, end_date=END)
    run = run_with_catalog(config, catalog_for(config, []), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    (line,) = warnings_about(run, "The catalog selects none")
    assert "streams of a Seller account: nothing is synced" in line
    assert sim.requests == [] and run.records() == []
