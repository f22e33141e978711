"""The catalog a sync is given: what the SDK's catalog model drops, and what it lets pass in silence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FULL_TABLE = "FULL_TABLE"
INCREMENTAL = "INCREMENTAL"
METHODS = (INCREMENTAL, FULL_TABLE)


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
