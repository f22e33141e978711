"""Ground truth of the REST streams in the form the tap prints: every declared property, sorted by key."""

from __future__ import annotations

from typing import Any

from tap_amazon_sp.accounts import ACCOUNT
from tap_amazon_sp.client import rest_stream_classes
from tests.support.expectations import plain

# Declared on each class (the SDK types `schema` as an instance property), without the account
# column the tap adds to every stream (tap_amazon_sp/accounts.py): what the streams read from Amazon.
STREAMS: dict[str, Any] = rest_stream_classes()
SCHEMAS: dict[str, dict[str, Any]] = {
    name: {**stream.schema, "properties": {k: v for k, v in stream.schema["properties"].items() if k != ACCOUNT}}
    for name, stream in STREAMS.items()
}


def declared(stream: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records with every property of the stream's schema, null where the data has none, and the
    account of a config without `account_id` (empty)."""
    names = {ACCOUNT: "", **dict.fromkeys(SCHEMAS[stream]["properties"])}
    return [{**names, **record} for record in records]


def by_key(records: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """JSON-comparable records (Decimals as floats), sorted by `keys`."""
    return sorted((plain(r) for r in records), key=lambda r: tuple(r[k] for k in keys))
