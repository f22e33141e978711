"""Every record says which account it comes from, and every key starts with it: two accounts that
sell the same SKU in the same marketplace load into the same tables without overwriting each other."""

from __future__ import annotations

import pytest

from tap_amazon_sp.settings import BY_NAME
from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import run_tap

# A report stream, a REST stream and its child, a per-marketplace REST stream.
STREAMS = ["GET_MERCHANT_LISTINGS_ALL_DATA", "orders", "order_items", "fba_inventory_summaries"]


@pytest.mark.parametrize("account_type", BY_NAME["account_type"].choices)
def test_every_stream_has_the_account_column_first_in_its_schema_and_its_key(account_type: str):
    config = {"lwa_client_id": "x", "lwa_client_secret": "x", "refresh_token": "x", "account_type": account_type}
    tap = TapAmazonSP(config=config, parse_env_config=False, validate_config=False, setup_mapper=False)
    catalog = tap.catalog_dict["streams"]
    assert len(catalog) == len(tap.streams) > 10
    for entry in catalog:
        assert entry["key_properties"][0] == "account_id", entry["tap_stream_id"]
        assert next(iter(entry["schema"]["properties"])) == "account_id", entry["tap_stream_id"]
        assert entry["schema"]["properties"]["account_id"]["type"] == ["string"]


def test_each_record_names_the_configured_account_and_the_same_data_of_two_accounts_keys_apart(sim: Simulator):
    first = run_tap(make_config(sim, account_id="A1FIRSTSELLER"), streams=STREAMS)
    second = run_tap(make_config(sim, account_id=" A2SECONDSELLER "), streams=STREAMS)
    for run, account in ((first, "A1FIRSTSELLER"), (second, "A2SECONDSELLER")):
        assert run.error is None, run.stderr[-3000:]
        for stream in STREAMS:
            records = run.records(stream)
            assert records, stream
            assert {r["account_id"] for r in records} == {account}, stream
    # The same simulated data under two accounts: not one key in common.
    for stream in STREAMS:
        keys = next(m for m in first.messages if m["type"] == "SCHEMA" and m["stream"] == stream)["key_properties"]
        assert keys[0] == "account_id"
        first_keys = {tuple(r[k] for k in keys) for r in first.records(stream)}
        second_keys = {tuple(r[k] for k in keys) for r in second.records(stream)}
        assert {k[1:] for k in first_keys} == {k[1:] for k in second_keys}, stream
        assert not first_keys & second_keys, stream
