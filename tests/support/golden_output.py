"""The recorded output of one fixed-seed sync of every Seller and every Vendor stream.

tests/sim/test_golden_output.py syncs again and compares: a reshaping of the code must leave the
output as it was. Record it again only for a change of output that is meant, and say which in the
commit: `.venv/bin/python -m tests.support.golden_output`.

What is compared, per stream: the SCHEMA message, every RECORD (sorted, since reports of
different windows finish in any order), and the stream's bookmarks in the last STATE. Left out:
`time_extracted`, and the id and creation time of the reports a bookmark remembers (the clock's
and the simulator's). Streams whose data Amazon makes relative to today (settlements, which
Amazon creates every 14 days and lists for 90; replenishment forecasts, made from today; coupons and
promotions, whose start dates reach back two years from today; the vendors' real-time reports of the
last 168 hours; catalog items, read as of the sync's start) are compared by their SCHEMA alone: tests/sim/test_settlements.py,
tests/sim/test_replenishment.py and tests/sim/test_vendor_recent.py check their records against the
simulator's data.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tap_amazon_sp.discovery import stream_makers
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import TapRun, run_tap

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
# (file, account type, region): the US, a decimal-comma marketplace and Japan's cp932 documents.
SYNCS = (
    ("seller-us", "Seller", "US"),
    ("seller-de", "Seller", "DE"),
    ("seller-jp", "Seller", "JP"),
    ("vendor-us", "Vendor", "US"),
)
START = "2024-05-01T00:00:00Z"
END = "2024-07-01T00:00:00Z"
# The REST APIs' "recent" data sits just before this instant, inside the synced range.
ANCHOR = datetime(2024, 6, 20, 12, tzinfo=timezone.utc)
CLOCK_RELATIVE = frozenset(
    {
        "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE",
        "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
        "replenishment_selling_partner_forecast",
        "replenishment_offer_forecast",
        # Amazon serves the last six months of vendor orders: nothing of this range.
        "vendor_purchase_orders",
        "vendor_purchase_order_items",
        "vendor_purchase_order_status",
        "vendor_direct_fulfillment_orders",
        # Start dates reach back two years from today: the golden range is older.
        "GET_COUPON_PERFORMANCE_REPORT",
        "GET_PROMOTION_PERFORMANCE_REPORT",
        # Its records and state hold the start of the sync that read them (tests/sim/test_catalog_items.py).
        "catalog_items",
        # Amazon serves the last 168 hours of these (tests/sim/test_vendor_recent.py).
        "GET_VENDOR_REAL_TIME_INVENTORY_REPORT",
        "GET_VENDOR_REAL_TIME_SALES_REPORT",
        "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT",
    }
)


def streams_of(account: str) -> list[str]:
    return sorted(stream_makers(account))


def sync(account: str, region: str) -> TapRun:
    """The fixed-seed sync of every stream of `account`, selected or not by default."""
    with Simulator(seed=11, rows=8, processing_delay=0.01, rate_scale=2000, anchor=ANCHOR) as sim:
        sim.set_faults(account_type=account)
        config = make_config(sim, account_type=account, region=region, start_date=START, end_date=END)
        run = run_tap(config, streams=streams_of(account))
        violations = sim.violations
    if run.error is not None or violations:
        raise AssertionError(f"the {account} sync failed: {run.error} {violations}\n{run.stderr[-3000:]}")
    return run


def _bookmark(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: ("<report>" if key in {"report_id", "created"} else _bookmark(item)) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_bookmark(item) for item in value]
    return value


def normalised(run: TapRun, account: str) -> dict[str, dict[str, Any]]:
    """Per stream of `account`: its schema, its records, its last bookmarks."""
    out: dict[str, dict[str, Any]] = {
        name: {"schema": None, "records": [], "bookmarks": None} for name in streams_of(account)
    }
    for message in run.messages:
        if message["type"] == "SCHEMA":
            entry = out[message["stream"]]
            entry["schema"] = entry["schema"] or {k: v for k, v in message.items() if k != "type"}
        elif message["type"] == "RECORD":
            out[message["stream"]]["records"].append(message["record"])
    bookmarks = run.last_state.get("bookmarks", {})
    for name, entry in out.items():
        if name in CLOCK_RELATIVE:
            entry["records"], entry["bookmarks"] = "<relative to today>", "<relative to today>"
            continue
        entry["records"] = sorted(entry["records"], key=lambda record: json.dumps(record, sort_keys=True))
        entry["bookmarks"] = _bookmark(bookmarks.get(name))
    return out


def path_of(name: str) -> Path:
    return GOLDEN / f"{name}.json"


def load(name: str) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(path_of(name).read_text(encoding="utf-8"))
    return data


def record() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, account, region in SYNCS:
        data = normalised(sync(account, region), account)
        # One line per stream's part, so that a diff names the stream and what changed in it.
        lines = ["{"]
        for index, (stream, entry) in enumerate(data.items()):
            parts = ",\n".join(
                f"    {json.dumps(key)}: {json.dumps(entry[key], sort_keys=True, ensure_ascii=False)}"
                for key in ("schema", "records", "bookmarks")
            )
            lines.append(f"  {json.dumps(stream)}: {{\n{parts}\n  }}{',' if index < len(data) - 1 else ''}")
        lines.append("}")
        path_of(name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(
            f"{path_of(name)}: {len(data)} streams, "
            f"{sum(len(e['records']) for e in data.values() if isinstance(e['records'], list))} records"
        )


if __name__ == "__main__":
    record()
