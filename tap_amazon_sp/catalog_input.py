"""The catalog a sync is given: what the SDK's catalog model drops, and what it lets pass in silence."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from tap_amazon_sp.errors import CatalogError
from tap_amazon_sp.json_files import kind, load

FULL_TABLE = "FULL_TABLE"
INCREMENTAL = "INCREMENTAL"
METHODS = (INCREMENTAL, FULL_TABLE)


def parse(text: str, name: str) -> dict[str, Any]:
    """The catalog in `text` (the file `name`), checked."""
    catalog: dict[str, Any] = load(text, f"catalog {name}", CatalogError)
    check(catalog, name)
    return catalog


def check(catalog: Any, name: str = "") -> None:
    """Raise CatalogError naming the first part of `catalog` the SDK could not read as a catalog."""
    where = f"catalog {name}" if name else "catalog"
    if not isinstance(catalog, Mapping):
        raise CatalogError(f"{where}: {kind(catalog)} instead of an object")
    if "streams" not in catalog:
        raise CatalogError(f"{where}: no streams list")
    streams = catalog["streams"]
    if not isinstance(streams, list):
        raise CatalogError(f"{where}: streams is {kind(streams)} instead of a list")
    for index, entry in enumerate(streams):
        path = f"streams[{index}]"
        if not isinstance(entry, Mapping):
            raise CatalogError(f"{where}: {path} is {kind(entry)} instead of an object")
        stream = entry.get("tap_stream_id")
        if not isinstance(stream, str) or not stream:
            raise CatalogError(f"{where}: {path} has no tap_stream_id")
        path = f"{path} ({stream})"
        if entry.get("stream", stream) != stream:
            # The SDK keys its stream maps by tap_stream_id and fails deep in the sync otherwise.
            raise CatalogError(
                f"{where}: {path}.stream is {json.dumps(entry.get('stream'))}, not its tap_stream_id; "
                "to load it under another name, rename it with a stream map or in the target"
            )
        schema = entry.get("schema", {})
        if not isinstance(schema, Mapping):
            raise CatalogError(f"{where}: {path}.schema is {kind(schema)} instead of an object")
        properties = schema.get("properties", {})
        if not isinstance(properties, Mapping):
            raise CatalogError(f"{where}: {path}.schema.properties is {kind(properties)} instead of an object")
        metadata = entry.get("metadata", [])
        if not isinstance(metadata, list):
            raise CatalogError(f"{where}: {path}.metadata is {kind(metadata)} instead of a list")
        for number, meta in enumerate(metadata):
            if not (
                isinstance(meta, Mapping)
                and isinstance(meta.get("breadcrumb"), list)
                and isinstance(meta.get("metadata"), Mapping)
            ):
                raise CatalogError(f"{where}: {path}.metadata[{number}] is not a breadcrumb and its metadata")


def requested_methods(catalog: Any) -> dict[str, str]:
    """Each stream's `replication-method` stream metadata, by stream name.

    That key is Singer's way for a user to choose the method (Meltano's `metadata:` extra writes
    it); the SDK's catalog model reads only `forced-replication-method` and the entry's
    `replication_method`, and drops it.
    """
    if not isinstance(catalog, Mapping):
        return {}
    found: dict[str, str] = {}
    for entry in catalog.get("streams") or ():
        if not isinstance(entry, Mapping):
            continue
        name = entry.get("tap_stream_id") or entry.get("stream")
        for meta in entry.get("metadata") or ():
            if not isinstance(meta, Mapping) or meta.get("breadcrumb") not in ([], ()):
                continue
            method = (meta.get("metadata") or {}).get("replication-method")
            if name and isinstance(method, str) and method:
                found[str(name)] = method.upper()
    return found


def mismatch(named: Iterable[str], account: str, own: set[str], others: Mapping[str, set[str]]) -> str | None:
    """One line naming the catalog's streams an `account` account does not sync (None: there are none).

    `others` holds the streams of each other account type, by its name.
    """
    foreign = sorted(set(named) - own)
    if not foreign:
        return None
    parts = []
    for other, streams in others.items():
        theirs = [name for name in foreign if name in streams]
        if theirs:
            parts.append(f"{other} streams: {', '.join(theirs)}")
    unknown = [name for name in foreign if not any(name in streams for streams in others.values())]
    if unknown:
        parts.append(f"streams tap-amazon-sp does not have: {', '.join(unknown)}")
    return f"The catalog names streams a {account} account does not have ({'; '.join(parts)}): they are not synced"
