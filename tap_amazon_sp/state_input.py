"""The state a sync is given, checked before anything is requested: one line saying what is wrong.

A state the tap cannot read as its own (a truncated file, a bookmark that is not a date-time, a
report ledger of the wrong shape) would otherwise fail deep in a stream, or worse, be read as
"no bookmark" and sync from start_date again. Parts the tap does not use (other taps' streams,
keys it does not know) are left alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tap_amazon_sp.errors import StateError
from tap_amazon_sp.inflight import SNAPSHOT
from tap_amazon_sp.json_files import kind, load
from tap_amazon_sp.loaded_range import LOADED_RANGE as LOADED
from tap_amazon_sp.records import parse_datetime

BOOKMARK = "replication_key_value"
PENDING = "pending_reports"
# catalog_items: the ASINs read, under the start of the sync that read them (catalog_streams.py).
REFRESHED = "asins_refreshed"
# Data Kiosk streams: the queries created and not read yet, by window (datakiosk_streams.py).
QUERIES = "pending_queries"


def parse(text: str, name: str) -> dict[str, Any]:
    """The state in `text` (the file `name`), checked."""
    state: dict[str, Any] = load(text, f"state {name}", StateError)
    check(state, name)
    return state


def check(state: Any, name: str = "") -> None:
    """Raise StateError naming the first part of `state` the tap cannot read."""
    where = f"state {name}" if name else "state"
    if not isinstance(state, Mapping):
        raise StateError(f"{where}: {kind(state)} instead of an object")
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, Mapping):
        raise StateError(f"{where}: bookmarks is {kind(bookmarks)} instead of an object")
    for stream, stream_state in bookmarks.items():
        path = f"bookmarks.{stream}"
        if not isinstance(stream_state, Mapping):
            raise StateError(f"{where}: {path} is {kind(stream_state)} instead of an object")
        _check_partition(stream_state, path, where)
        partitions = stream_state.get("partitions", [])
        if not isinstance(partitions, list):
            raise StateError(f"{where}: {path}.partitions is {kind(partitions)} instead of a list")
        seen: dict[str, int] = {}
        for index, partition in enumerate(partitions):
            item = f"{path}.partitions[{index}]"
            if not isinstance(partition, Mapping):
                raise StateError(f"{where}: {item} is {kind(partition)} instead of an object")
            context = partition.get("context", {})
            if not isinstance(context, Mapping):
                raise StateError(f"{where}: {item}.context is {kind(context)} instead of an object")
            same = seen.setdefault(json.dumps(context, sort_keys=True, default=str), index)
            if same != index:
                raise StateError(
                    f"{where}: {item} has the context of {path}.partitions[{same}]: which one holds the bookmark?"
                )
            _check_partition(partition, item, where)


def unused_bookmarks(stream: str, state: Mapping[str, Any], *, per_partition: bool) -> str | None:
    """The warning for bookmarks the state holds where `stream` keeps none (a stream-wide one for a
    stream with one per marketplace, or the reverse): they are not used, and nothing else reads them."""
    found = (state.get("bookmarks") or {}).get(stream) or {}
    if per_partition:
        unused = [found[BOOKMARK]] if found.get(BOOKMARK) else []
        keeps = "one bookmark per marketplace"
    else:
        unused = [p.get(BOOKMARK) for p in found.get("partitions") or () if p.get(BOOKMARK)]
        keeps = "one bookmark for the whole stream"
    if not unused:
        return None
    return (
        f"{stream}: the state's bookmark {', '.join(map(str, unused))} is not where this stream keeps its "
        f"bookmarks ({keeps}): it is not used"
    )


def _check_partition(partition: Mapping[str, Any], path: str, where: str) -> None:
    value = partition.get(BOOKMARK)
    if value is not None and not _is_datetime(value):
        raise StateError(f"{where}: {path}.{BOOKMARK} {_show(value)} is not a date-time")
    _check_refreshed(partition.get(REFRESHED), f"{path}.{REFRESHED}", where)
    _check_range(partition.get(LOADED), f"{path}.{LOADED}", where)
    _check_queries(partition.get(QUERIES), f"{path}.{QUERIES}", where)
    pending = partition.get(PENDING)
    if pending is None:
        return
    if not isinstance(pending, Mapping):
        raise StateError(f"{where}: {path}.{PENDING} is {kind(pending)} instead of an object")
    for window, report in pending.items():
        item = f"{path}.{PENDING}[{window!r}]"
        # A part of a window's reports (`slots.Slot.part`) follows its window after `#`.
        span, hashed, part = str(window).partition("#")
        bounds = span.split("/")
        if window != SNAPSHOT and not (
            len(bounds) == 2 and all(_is_datetime(b) for b in bounds) and (not hashed or part.isalnum())
        ):
            raise StateError(
                f"{where}: {item}: the window is neither start/end date-times (with a #part) nor {SNAPSHOT!r}"
            )
        if not isinstance(report, Mapping):
            raise StateError(f"{where}: {item} is {kind(report)} instead of an object")
        if not isinstance(report.get("report_id"), str) or not report["report_id"]:
            raise StateError(f"{where}: {item}.report_id is {_show(report.get('report_id'))}, not a report id")
        if not isinstance(report.get("options", ""), str):
            raise StateError(f"{where}: {item}.options is {kind(report['options'])} instead of a string")
        created = report.get("created")
        if created is not None and not _is_datetime(created):
            raise StateError(f"{where}: {item}.created {_show(created)} is not a date-time")


def _check_refreshed(groups: Any, path: str, where: str) -> None:
    if groups is None:
        return
    if not isinstance(groups, Mapping):
        raise StateError(f"{where}: {path} is {kind(groups)} instead of an object")
    for moment, asins in groups.items():
        if not _is_datetime(moment):
            raise StateError(f"{where}: {path}: {_show(moment)} is not a date-time")
        if not isinstance(asins, list) or not all(isinstance(asin, str) for asin in asins):
            raise StateError(f"{where}: {path}[{moment!r}] is {kind(asins)}, not a list of ASINs")


def _check_range(loaded: Any, path: str, where: str) -> None:
    if loaded is None:
        return
    if not isinstance(loaded, Mapping):
        raise StateError(f"{where}: {path} is {kind(loaded)} instead of an object")
    for end in ("start", "end"):
        if not _is_datetime(loaded.get(end)):
            raise StateError(f"{where}: {path}.{end} {_show(loaded.get(end))} is not a date-time")
    if parse_datetime(loaded["start"]) >= parse_datetime(loaded["end"]):
        raise StateError(f"{where}: {path} starts at or after its end: {loaded['start']} .. {loaded['end']}")


def _check_queries(queries: Any, path: str, where: str) -> None:
    if queries is None:
        return
    if not isinstance(queries, Mapping):
        raise StateError(f"{where}: {path} is {kind(queries)} instead of an object")
    for window, query in queries.items():
        item = f"{path}[{window!r}]"
        bounds = str(window).split("/")
        if not (len(bounds) == 2 and all(_is_datetime(b) for b in bounds)):
            raise StateError(f"{where}: {item}: the window is not start/end date-times")
        if not isinstance(query, Mapping):
            raise StateError(f"{where}: {item} is {kind(query)} instead of an object")
        if not isinstance(query.get("query_id"), str) or not query["query_id"]:
            raise StateError(f"{where}: {item}.query_id is {_show(query.get('query_id'))}, not a query id")
        if not isinstance(query.get("query", ""), str):
            raise StateError(f"{where}: {item}.query is {kind(query['query'])} instead of a string")
        page = query.get("page", 1)
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise StateError(f"{where}: {item}.page {_show(page)} is not a page number (1 or more)")
        created = query.get("created")
        if created is not None and not _is_datetime(created):
            raise StateError(f"{where}: {item}.created {_show(created)} is not a date-time")


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_datetime(value)
    except (ValueError, OverflowError):
        return False
    return True


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
