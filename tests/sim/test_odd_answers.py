"""Answers of SP-API that are not what Amazon's models say, through the real CLI over HTTP.

A 2xx answer that is not a JSON object (a proxy's error page), that lacks the key the tap reads
(`reportId`, `processingStatus`, `url`), or a DONE report without its document: none may read as
"no data" (the bookmark would pass a window nothing was read of) or as a report still pending
(the sync would wait an hour in silence). README, "What happens when".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import make_config
from tests.sim.test_faults import catalog_file
from tests.spapi_simulator import Simulator
from tests.support.expectations import expected, strip_added
from tests.support.record_schemas import assert_records_match_schemas
from tests.support.tap_runner import TapRun, run_cli

ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
US = "ATVPDKIKX0DER"
START = "2024-01-01T00:00:00Z"
END = "2024-03-01T00:00:00Z"


def cli(sim: Simulator, tmp_path: Path) -> TapRun:
    return run_cli(make_config(sim, end_date=END), "--catalog", catalog_file(sim, tmp_path, (ALL_ORDERS,)))


def error_line(run: TapRun) -> str:
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    return [line for line in run.stderr.splitlines() if "| ERROR" in line and "unhandled error" not in line][-1]


@pytest.mark.parametrize("operation", ["createReport", "getReport", "getReportDocument"])
@pytest.mark.parametrize("fault", ["garbled_answer", "hollow_answer"])
def test_an_answer_that_is_not_amazons_is_retried_and_loses_nothing(
    sim: Simulator, tmp_path: Path, fault: str, operation: str
):
    sim.set_faults(**{fault: {operation: 2}})
    run = cli(sim, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert_records_match_schemas(run)
    assert [strip_added(r) for r in run.records(ALL_ORDERS)] == expected(sim, ALL_ORDERS, US, START, END)
    said = "with a body that is not JSON" if fault == "garbled_answer" else "without"
    assert f"{operation}: HTTP 20" in run.stderr and said in run.stderr


@pytest.mark.parametrize(
    ("streams", "operation"),
    [
        (("fba_inventory_summaries", "catalog_items"), "getInventorySummaries"),
        (("catalog_items",), "searchCatalogItems"),
        (("fba_inbound_shipments", "fba_inbound_shipment_items"), "getShipments"),
        (("fba_inbound_shipment_items",), "getShipmentItemsByShipmentId"),
    ],
)
def test_a_rest_answer_without_what_amazons_model_puts_in_it_is_retried_and_loses_nothing(
    sim: Simulator, tmp_path: Path, streams: tuple[str, ...], operation: str
):
    # `{}` read as "nothing there" would pass an inbound window, empty the inventory snapshot, or
    # count 20 ASINs as read with no item.
    config = make_config(sim)
    catalog = catalog_file(sim, tmp_path, streams)
    clean = run_cli(config, "--catalog", catalog)
    assert clean.returncode == 0, clean.stderr[-3000:]
    sim.set_faults(hollow_answer={operation: 1})
    run = run_cli(config, "--catalog", catalog)
    assert run.returncode == 0, run.stderr[-3000:]
    assert_records_match_schemas(run)
    for stream in streams:
        drop = {"refreshed_at"}
        want = sorted(
            json.dumps({k: v for k, v in r.items() if k not in drop}, sort_keys=True) for r in clean.records(stream)
        )
        got = sorted(
            json.dumps({k: v for k, v in r.items() if k not in drop}, sort_keys=True) for r in run.records(stream)
        )
        assert want and got == want, stream
    assert f"{operation}: HTTP 200 without" in run.stderr


@pytest.mark.parametrize(
    ("fault", "operation", "said"),
    [
        ("garbled_answer", "getReport", "getReport still failing after 8 tries: HTTP 200 with a body that is not JSON"),
        (
            "hollow_answer",
            "createReport",
            "createReport still failing after 8 tries: HTTP 202 without reportId in its answer",
        ),
        ("hollow_answer", "getReportDocument", "HTTP 200 without url in its answer"),
    ],
)
def test_answers_that_stay_wrong_stop_the_sync_in_one_line_before_the_bookmark_moves(
    sim: Simulator, tmp_path: Path, fault: str, operation: str, said: str
):
    sim.set_faults(**{fault: {operation: 1000}})
    run = cli(sim, tmp_path)
    assert said in error_line(run)
    assert run.records(ALL_ORDERS) == []
    assert run.bookmark(ALL_ORDERS, US) is None


def test_a_done_report_without_a_document_stops_the_window_instead_of_reading_as_no_data(
    sim: Simulator, tmp_path: Path
):
    sim.set_faults(done_without_document={ALL_ORDERS: 1000})
    run = cli(sim, tmp_path)
    assert "is DONE but Amazon named no document for it (no reportDocumentId)" in error_line(run)
    assert run.records(ALL_ORDERS) == []
    assert run.bookmark(ALL_ORDERS, US) is None


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("createReport", "createReport failed: HTTP 307, a redirect to localhost:"),
        ("getReport", "getReport failed: HTTP 307, a redirect to localhost:"),
        ("lwa", "Login with Amazon answered with a redirect (HTTP 307), not followed"),
    ],
)
def test_a_redirect_is_never_followed_so_no_token_or_secret_goes_to_another_host(
    sim: Simulator, tmp_path: Path, key: str, said: str
):
    sim.set_faults(redirect={key: 1})
    run = cli(sim, tmp_path)
    assert said in error_line(run)
    assert not [r for r in sim.requests if r.path.startswith("/_elsewhere")]
    assert run.bookmark(ALL_ORDERS, US) is None
