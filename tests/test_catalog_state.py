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

from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.tap_runner import TapRun, catalog_for, run_cli

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
        json.dumps({"bookmarks": {ALL_ORDERS: {"partitions": {}}}}), "partitions is an object instead of a list"
    ),
    "bookmark not a date-time": (
        json.dumps(partition(replication_key_value="yesterday")), 'replication_key_value "yesterday" is not a date-time'
    ),
    "bookmark a number": (
        json.dumps(partition(replication_key_value=1704067200)), "replication_key_value 1704067200 is not a date-time"
    ),
    "pending report not an object": (
        json.dumps(partition(pending_reports={WINDOW: "12345"})), "is a string instead of an object"
    ),
    "pending report without an id": (
        json.dumps(partition(pending_reports={WINDOW: {"options": "{}"}})), "report_id is null, not a report id"
    ),
    "pending reports a list": (json.dumps(partition(pending_reports=[])), "pending_reports is a list instead of"),
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
