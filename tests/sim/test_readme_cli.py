"""The README's commands for running the tap without Meltano, run as written against the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import report_requests

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"


def tap(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # `tap-amazon-sp` is this console script of the installed package.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
    return subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_discover_then_sync_with_catalog_and_state_files(sim: Simulator, tmp_path: Path):
    config = make_config(sim, start_date="2024-05-01T00:00:00Z", end_date="2024-06-15T00:00:00Z")
    (tmp_path / "config.json").write_text(json.dumps(config))
    discovered = tap("--config", "config.json", "--discover", cwd=tmp_path)
    assert discovered.returncode == 0, discovered.stderr[-2000:]
    (tmp_path / "catalog.json").write_text(discovered.stdout)
    catalog = json.loads(discovered.stdout)
    assert {LISTINGS, ORDERS} <= {s["tap_stream_id"] for s in catalog["streams"]}
    (tmp_path / "state.json").write_text("{}")

    first = tap("--config", "config.json", "--catalog", "catalog.json", "--state", "state.json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    messages = [json.loads(line) for line in first.stdout.splitlines()]
    streams = {m["stream"] for m in messages if m["type"] == "RECORD"}
    assert {LISTINGS, ORDERS} <= streams
    state = [m["value"] for m in messages if m["type"] == "STATE"][-1]

    # The next run starts from that state: no order window before its bookmark.
    (tmp_path / "state.json").write_text(json.dumps(state))
    sim.clear_requests()
    second = tap("--config", "config.json", "--catalog", "catalog.json", "--state", "state.json", cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    bodies = report_requests(sim.requests)
    assert not [b for b in bodies if b["reportType"] == ORDERS]
