"""Documents at the edges of what Amazon sends, through the real CLI over HTTP against the simulator.

What the tap does with each (README, "What happens when"):
- a body of zero bytes: downloaded again; if it stays empty, the sync stops naming the report and
  the bookmark stays before the window (no report document is empty, and a gzip file never is);
- a body that is not what its flag says (plain text flagged GZIP, gzip without the flag, gzip inside
  a Content-Encoding: gzip): read by its bytes, every record as from a correct document;
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_config
from tests.expectations import expected, strip_added
from tests.record_schemas import assert_records_match_schemas
from tests.spapi_simulator import Simulator
from tests.tap_runner import TapRun, run_cli
from tests.test_faults import catalog_file

ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
SALES = "GET_SALES_AND_TRAFFIC_REPORT"
BROWSE_TREE = "GET_XML_BROWSE_TREE_DATA"
US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"
START = "2024-01-01T00:00:00Z"
END = "2024-03-01T00:00:00Z"
WINDOWS = ((START, "2024-01-31T00:00:00Z"), ("2024-01-31T00:00:00Z", END))


def cli(sim: Simulator, tmp_path: Path, stream: str = ALL_ORDERS, **config: Any) -> TapRun:
    """The tap CLI syncing one stream, JP unless told (the simulator's JP All Orders documents hold JP alone)."""
    settings = make_config(sim, **{"end_date": END, "region": "JP", **config})
    return run_cli(settings, "--catalog", catalog_file(sim, tmp_path, (stream,)))


def records(run: TapRun, stream: str = ALL_ORDERS) -> list[dict[str, Any]]:
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert_records_match_schemas(run)
    return [strip_added(r) for r in run.records(stream)]


def all_orders(sim: Simulator, marketplace_id: str = JP) -> list[dict[str, Any]]:
    return [row for start, end in WINDOWS for row in expected(sim, ALL_ORDERS, marketplace_id, start, end)]


def error_line(run: TapRun) -> str:
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    return [line for line in run.stderr.splitlines() if "| ERROR" in line][-1]


# --- bodies that are empty or not what their flag says ------------------------------------------


def test_an_empty_gzip_document_is_downloaded_again_and_then_read_whole(sim: Simulator, tmp_path: Path):
    sim.set_faults(empty_document={ALL_ORDERS: 1})
    run = cli(sim, tmp_path)
    assert records(run) == all_orders(sim)
    assert "the download was empty (0 bytes), which no report document is" in run.stderr
    assert run.bookmark(ALL_ORDERS, JP) == "2024-03-01T00:00:00+00:00"


def test_a_document_that_stays_empty_stops_the_sync_before_the_bookmark_moves(sim: Simulator, tmp_path: Path):
    sim.set_faults(empty_document={ALL_ORDERS: 100})
    run = cli(sim, tmp_path)
    error = error_line(run)
    assert f"| {ALL_ORDERS} report " in error
    assert error.endswith("the download was empty (0 bytes), which no report document is; gave up after 4 downloads")
    assert run.records(ALL_ORDERS) == []
    assert run.bookmark(ALL_ORDERS, JP) is None


@pytest.mark.parametrize("encoding", ["plain", "unflagged", "double_gzip"])
def test_a_document_not_compressed_as_its_flag_says_is_read_by_its_bytes(
    sim: Simulator, tmp_path: Path, encoding: str
):
    sim.set_faults(document_encoding={ALL_ORDERS: encoding})
    run = cli(sim, tmp_path)
    assert records(run) == all_orders(sim)
    # The tap asked for the bytes as stored; nothing was decompressed behind its back.
    downloads = [r for r in sim.requests if r.path.startswith("/_documents/")]
    assert downloads and all(r.headers.get("accept-encoding") == "identity" for r in downloads)


# --- text without a charset label ---------------------------------------------------------------

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
MARKETS = {"DE": "A1PA6795UKMFR9", "JP": JP}


@pytest.mark.parametrize("region", ["DE", "JP"])
def test_utf8_without_a_charset_label_is_read_as_utf8_where_the_usual_charset_is_another(
    sim: Simulator, tmp_path: Path, region: str
):
    # DE documents are usually cp1252, which would read UTF-8's € as "â‚¬" without an error.
    sim.set_faults(no_charset=True, document_mutation={LISTINGS: "utf8"})
    run = cli(sim, tmp_path, LISTINGS, region=region)
    want = expected(sim, LISTINGS, MARKETS[region], START, END)
    assert any(not str(value).isascii() for row in want for value in row.values())
    assert records(run, LISTINGS) == want


@pytest.mark.parametrize("region", ["DE", "JP"])
def test_text_in_the_usual_charset_without_a_label_is_still_read_in_it(sim: Simulator, tmp_path: Path, region: str):
    sim.set_faults(no_charset=True)
    run = cli(sim, tmp_path, LISTINGS, region=region)
    assert records(run, LISTINGS) == expected(sim, LISTINGS, MARKETS[region], START, END)


def test_unlabelled_text_that_stops_being_utf8_far_in_stops_the_sync_without_guessing(sim: Simulator, tmp_path: Path):
    sim.set_faults(no_charset=True, document_mutation={LISTINGS: "utf8_then_not"})
    run = cli(sim, tmp_path, LISTINGS, region="DE")
    error = error_line(run)
    assert f"| {LISTINGS} report " in error
    assert " are not valid utf-8 (b'\\x80" in error
    assert error.endswith("); the download names no charset and its text before was UTF-8; refusing to guess")
