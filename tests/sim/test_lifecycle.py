"""Streams whose source Amazon deprecated or removed: what discovery shows, what a sync asks and logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tap_amazon_sp.catalogue import BY_STREAM
from tap_amazon_sp.lifecycle import METADATA_KEY
from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import run_tap

SNS_FORECAST = "GET_FBA_SNS_FORECAST_DATA"
SNS_PERFORMANCE = "GET_FBA_SNS_PERFORMANCE_DATA"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"
SETTLEMENT_V2 = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


def roots(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each stream's root-breadcrumb metadata."""
    return {
        entry["tap_stream_id"]: next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
        for entry in catalog["streams"]
    }


def warnings_of(stderr: str, stream: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("WARNING") and f" {stream} is " in line]


def test_discovery_shows_every_streams_lifecycle_and_leaves_removed_ones_unselected(sim: Simulator, tmp_path: Path):
    (tmp_path / "config.json").write_text(json.dumps(make_config(sim)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
    proc = subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", "--config", "config.json", "--discover"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = roots(json.loads(proc.stdout))
    assert len(found) >= 50
    for name, root in found.items():
        assert root[METADATA_KEY]["status"] in ("available", "deprecated", "removed"), name
    for name in (SNS_FORECAST, SNS_PERFORMANCE):
        assert found[name][METADATA_KEY]["status"] == "removed"
        assert found[name][METADATA_KEY]["date"] == "2025-12-11"
        assert found[name]["selected-by-default"] is False
    assert found[SNS_FORECAST][METADATA_KEY]["successor"] == "replenishment_offer_forecast"
    assert found[SNS_PERFORMANCE][METADATA_KEY]["successor"] == "replenishment_offer_metrics"
    assert found["financial_events"][METADATA_KEY] == {
        "status": "deprecated",
        "date": "2027-08-27",
        "successor": "financial_transactions",
    }
    assert found["financial_events"]["selected-by-default"] is True
    # The old settlement type went on 2026-11-11; its successor is listed and selected by default.
    assert found[SETTLEMENT][METADATA_KEY] == {"status": "removed", "date": "2026-11-11", "successor": SETTLEMENT_V2}
    assert found[SETTLEMENT]["selected-by-default"] is False
    assert found[SETTLEMENT_V2][METADATA_KEY] == {"status": "available"}
    assert found[SETTLEMENT_V2]["selected-by-default"] is True
    assert found["orders"][METADATA_KEY] == {"status": "available"}
    # Orders v0 retires on 2027-03-27, but `orders` reads Orders 2026-01-01: nothing to mark.
    assert found["order_items"][METADATA_KEY] == {"status": "available"}


def test_a_removed_stream_selected_requests_nothing_warns_and_sends_its_schema(sim: Simulator):
    # A bookmark an earlier tap left (a user's state) stays as it was.
    kept = {
        "partitions": [
            {"context": {"marketplace_id": "ATVPDKIKX0DER"}, "replication_key_value": "2025-01-01T00:00:00+00:00"},
        ]
    }
    run = run_tap(make_config(sim), streams=[SNS_FORECAST, SNS_PERFORMANCE], state={"bookmarks": {SNS_FORECAST: kept}})
    assert run.error is None, run.stderr[-3000:]
    assert run.last_state["bookmarks"][SNS_FORECAST] == kept
    # Nothing at all: no report, no listing, not even a token.
    assert sim.requests == []
    schemas = [m["stream"] for m in run.messages if m["type"] == "SCHEMA"]
    assert schemas == [SNS_FORECAST, SNS_PERFORMANCE]
    assert run.records() == []
    (warning,) = warnings_of(run.stderr, SNS_FORECAST)
    assert "removed" in warning and "2025-12-11" in warning and "replenishment_offer_forecast" in warning
    (warning,) = warnings_of(run.stderr, SNS_PERFORMANCE)
    assert "replenishment_offer_metrics" in warning


def test_a_default_sync_leaves_the_removed_streams_out(sim: Simulator):
    tap = TapAmazonSP(config=make_config(sim), validate_config=False, setup_mapper=False)
    assert not tap.streams[SNS_FORECAST].selected
    assert not tap.streams[SNS_PERFORMANCE].selected
    assert tap.streams["financial_events"].selected


def test_a_deprecated_stream_warns_once_with_its_removal_date_and_successor(sim: Simulator):
    run = run_tap(make_config(sim), streams=["financial_events", "orders", "order_items"])
    assert run.error is None, run.stderr[-3000:]
    (warning,) = warnings_of(run.stderr, "financial_events")
    assert "deprecated" in warning and "2027-08-27" in warning and "financial_transactions" in warning
    assert "listFinancialEvents" in warning
    # It still syncs, and the available streams say nothing.
    assert run.records("financial_events")
    assert warnings_of(run.stderr, "orders") == warnings_of(run.stderr, "order_items") == []


def test_every_successor_names_an_available_stream_and_every_date_is_amazons():
    lifecycles = {}
    for account in ("Seller", "Vendor"):
        config = {"lwa_client_id": "x", "lwa_client_secret": "x", "refresh_token": "x", "account_type": account}
        tap = TapAmazonSP(config=config, validate_config=False, setup_mapper=False)
        lifecycles.update({name: stream.lifecycle for name, stream in tap.streams.items()})  # type: ignore[attr-defined]
    assert set(BY_STREAM) <= set(lifecycles)
    retired = {name: lifecycle for name, lifecycle in lifecycles.items() if lifecycle.status != "available"}
    for name, lifecycle in retired.items():
        assert lifecycles[lifecycle.successor].status == "available", (name, lifecycle.successor)
    # Add. §1 and §2: what Amazon removed or deprecated among the sources the tap reads.
    assert {name: (lifecycle.status, lifecycle.date) for name, lifecycle in retired.items()} == {
        SNS_FORECAST: ("removed", date(2025, 12, 11)),
        SNS_PERFORMANCE: ("removed", date(2025, 12, 11)),
        SETTLEMENT: ("removed", date(2026, 11, 11)),
        "financial_events": ("deprecated", date(2027, 8, 27)),
    }
