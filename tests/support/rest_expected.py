"""Ground truth of the REST streams in the form the tap prints (every declared property, sorted by
key), and the syncs and requests the REST streams' tests compare it with."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tap_amazon_sp.accounts import ACCOUNT
from tap_amazon_sp.client import rest_stream_classes
from tap_amazon_sp.records import format_datetime, parse_datetime
from tests.conftest import make_config
from tests.spapi_simulator import RecordedRequest, Simulator
from tests.support.expectations import plain
from tests.support.tap_runner import TapRun, run_tap

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


def sync_before_anchor(sim: Simulator, days: int, streams: list[str], **overrides: Any) -> TapRun:
    """A seller's sync of `streams` over the `days` before the simulator's anchor."""
    config = make_config(
        sim,
        start_date=format_datetime(sim.anchor - timedelta(days=days)),
        end_date=format_datetime(sim.anchor),
        **overrides,
    )
    return run_tap(config, streams=streams)


def calls(sim: Simulator, operation: str) -> list[RecordedRequest]:
    """The requests the simulator heard for `operation`, in order."""
    return [r for r in sim.requests if r.operation == operation]


def bounds(request: RecordedRequest, lower: str, upper: str) -> tuple[datetime, datetime]:
    """The window a request asked for, from its `lower` and `upper` query parameters."""
    return parse_datetime(request.query[lower][0]), parse_datetime(request.query[upper][0])
