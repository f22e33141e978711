"""RECORD output: the direct writer prints what the SDK's own path prints, and steps aside for maps."""

from __future__ import annotations

import contextlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp import output
from tap_amazon_sp.output import RecordLineWriter, TapMessageWriter
from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import catalog_for, run_cli, run_tap

US = "ATVPDKIKX0DER"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
END = "2024-03-01T00:00:00Z"


def records_as_written(stdout: str) -> list[dict[str, Any]]:
    """RECORD messages parsed the way a target parses them (numbers as Decimal), without time stamps."""
    found = []
    for line in stdout.splitlines():
        message = json.loads(line, parse_float=Decimal)
        if message["type"] == "RECORD":
            assert "time_extracted" in message
            found.append({k: v for k, v in message.items() if k != "time_extracted"})
    return found


def without_report_ids(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Each run requests its own reports; everything else must match.
    return [{**m, "record": {k: v for k, v in m["record"].items() if k != "report_id"}} for m in messages]


def test_direct_output_equals_the_sdk_path(sim: Simulator):
    direct = run_tap(make_config(sim, end_date=END), streams=[ALL_ORDERS])
    # Flattening a flat record changes nothing, but it sends every record through the SDK's path.
    sdk = run_tap(make_config(sim, end_date=END, flattening_enabled=True, flattening_max_depth=1), streams=[ALL_ORDERS])
    assert direct.error is None and sdk.error is None, direct.stderr + sdk.stderr
    got, want = records_as_written(direct.stdout), records_as_written(sdk.stdout)
    assert len(got) > 20
    assert without_report_ids(got) == without_report_ids(want)
    # Typed as before: decimals are JSON numbers, integers integers, booleans booleans.
    record = got[0]["record"]
    assert isinstance(record["item_price"], Decimal) and isinstance(record["quantity"], int)
    assert isinstance(record["is_business_order"], bool)
    assert [direct.bookmark(ALL_ORDERS, US, s) for s in direct.states] == [
        sdk.bookmark(ALL_ORDERS, US, s) for s in sdk.states
    ]


def test_stream_maps_still_apply(sim: Simulator):
    maps = {ALL_ORDERS: {"ship_city": "__NULL__", "sku_upper": "sku.upper() if sku else None"}}
    run = run_tap(make_config(sim, end_date=END, stream_maps=maps), streams=[ALL_ORDERS])
    assert run.error is None, run.stderr
    records = run.records(ALL_ORDERS)
    assert records and all("ship_city" not in r for r in records)
    assert any(r["sku_upper"] for r in records)


def test_deselected_properties_are_left_out(sim: Simulator):
    config = make_config(sim, end_date=END)
    catalog = catalog_for(config, [ALL_ORDERS])
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] in (["properties", "ship_city"], ["properties", "item_tax"]):
                meta["metadata"]["selected"] = False
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        TapAmazonSP(config=config, catalog=catalog).sync_all()
    records = records_as_written(out.getvalue())
    assert records
    assert all("ship_city" not in m["record"] and "item_tax" not in m["record"] for m in records)
    assert all("ship_state" in m["record"] for m in records)


def test_a_catalog_schema_that_leaves_out_properties_leaves_them_out_of_records_on_both_paths(
    sim: Simulator, tmp_path: Path
):
    config = make_config(sim, end_date=END)
    catalog = catalog_for(config, [ALL_ORDERS])
    (entry,) = [e for e in catalog["streams"] if e["tap_stream_id"] == ALL_ORDERS]
    left_out = ("ship_city", "item_price", "unparsed_values")
    for name in left_out:
        del entry["schema"]["properties"][name]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog))
    direct = run_cli(config, "--catalog", str(path))
    # Flattening a flat record changes nothing, but it sends every record through the SDK's path.
    sdk = run_cli({**config, "flattening_enabled": True, "flattening_max_depth": 1}, "--catalog", str(path))
    assert direct.returncode == 0 and sdk.returncode == 0, direct.stderr[-2000:] + sdk.stderr[-2000:]

    got, want = records_as_written(direct.stdout), records_as_written(sdk.stdout)
    assert len(got) > 20
    assert without_report_ids(got) == without_report_ids(want)
    for message in got:
        assert not set(left_out) & set(message["record"]) and "ship_state" in message["record"]
    (schema,) = [m["schema"] for m in direct.messages if m["type"] == "SCHEMA"]
    assert not set(left_out) & set(schema["properties"])
    assert "the catalog's schema has no item_price, ship_city, unparsed_values" in direct.stderr


def test_a_catalog_schema_that_changes_a_property_sends_records_through_the_sdk_path(sim: Simulator, tmp_path: Path):
    config = make_config(sim, end_date=END)
    catalog = catalog_for(config, [ALL_ORDERS])
    (entry,) = [e for e in catalog["streams"] if e["tap_stream_id"] == ALL_ORDERS]
    # A boolean column declared as an integer-free boolean: the SDK's path conforms values to it.
    entry["schema"]["properties"]["quantity"] = {"type": ["boolean", "null"]}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog))
    direct = run_cli(config, "--catalog", str(path))
    sdk = run_cli({**config, "flattening_enabled": True, "flattening_max_depth": 1}, "--catalog", str(path))
    assert direct.returncode == 0 and sdk.returncode == 0, direct.stderr[-2000:] + sdk.stderr[-2000:]
    got, want = records_as_written(direct.stdout), records_as_written(sdk.stdout)
    assert len(got) > 20
    assert without_report_ids(got) == without_report_ids(want)
    assert {type(m["record"]["quantity"]) for m in got} == {bool}


TRICKY: list[dict[str, Any]] = [
    {
        "text": 'He said "hi"\\ \t\x01 \u2028 ü € ① 𝄞',
        "empty": None,
        "int": -(10**20),
        "zero": 0,
        "yes": True,
        "no": False,
        "price": Decimal("12.50"),
        "exp": Decimal("1E+2"),
        "tiny": Decimal("0.0000001"),
        "negzero": Decimal("-0.00"),
    },
    {},
]


@pytest.mark.parametrize("use_msgspec", [False, True])
@pytest.mark.parametrize("record", TRICKY)
def test_both_encoders_write_the_same_json_values(
    record: dict[str, Any], use_msgspec: bool, capsys: pytest.CaptureFixture[str]
):
    if use_msgspec and not output.HAVE_MSGSPEC:
        pytest.skip("msgspec is not installed")
    sink = TapMessageWriter()
    writer = RecordLineWriter("S", sink=sink, version=7, deselected=["gone"], use_msgspec=use_msgspec)
    assert writer.write({**record, "gone": "x"})
    sink.flush_lines()
    line = capsys.readouterr().out
    assert line.endswith("}\n") and line.count("\n") == 1
    message = json.loads(line, parse_float=Decimal)
    assert message["type"] == "RECORD" and message["stream"] == "S" and message["version"] == 7
    assert message["record"] == record
    assert [type(v) for v in message["record"].values()] == [type(v) for v in record.values()]


def test_values_the_direct_writer_does_not_know_go_to_the_sdk(capsys: pytest.CaptureFixture[str]):
    sink = TapMessageWriter()
    for use_msgspec in (False, True):
        writer = RecordLineWriter("S", sink=sink, version=None, use_msgspec=use_msgspec)
        assert writer.write({"a": 1.5j}) is False
    sink.flush_lines()
    assert capsys.readouterr().out == ""
