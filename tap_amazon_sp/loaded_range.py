"""The two marks of a partition read newest first: the bookmark, and the range loaded beyond it.

`replication_key_value` keeps the meaning it always had: every window from start_date (or from what
Amazon still serves) up to it is loaded. A sync that reads the newest windows first (windows.read_order)
loads data after a gap it has not read yet; that data is kept in `loaded_range` ({"start", "end"}),
never in the bookmark, so nothing that reads only `replication_key_value` is told that the gap is
loaded. When the backfill reaches the range, the bookmark moves to its end and the range is dropped:
from then on the state is what an oldest-first sync leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tap_amazon_sp.records import format_datetime, parse_datetime
from tap_amazon_sp.windows import Window

LOADED_RANGE = "loaded_range"


def loaded_range(state: Mapping[str, Any]) -> Window | None:
    """The range a partition has loaded beyond its bookmark, if any (state_input checked its shape)."""
    found = state.get(LOADED_RANGE)
    if not isinstance(found, Mapping):
        return None
    return parse_datetime(str(found["start"])), parse_datetime(str(found["end"]))


def after_window(mark: datetime, loaded: Window | None, window: Window) -> tuple[datetime | None, Window | None]:
    """What one emitted window makes of a partition's two marks: the bookmark it moves to (None if it
    stays at `mark`) and the range still loaded beyond it (None once there is none).

    A window that starts at or before the bookmark extends it; one that touches the range widens the
    range; a range that the bookmark reaches is taken into it. A window that touches neither (it
    cannot be said to follow anything loaded) is not recorded: it is read again by a later sync.
    """
    start, end = window
    joined = loaded is not None and start <= loaded[1] and end >= loaded[0]
    if loaded is not None and joined:
        loaded = (min(start, loaded[0]), max(end, loaded[1]))
    moved: datetime | None = None
    if start <= mark < end:
        moved = end
    elif loaded is None and start > mark:
        loaded = window
    reached = moved or mark
    if loaded is not None and loaded[0] <= reached:
        moved, loaded = max(reached, loaded[1]), None
    return moved, loaded


def write_range(state: dict[str, Any], loaded: Window | None) -> None:
    """Keep `loaded` in a partition's state, or drop the key when nothing is loaded beyond the bookmark."""
    if loaded is None:
        state.pop(LOADED_RANGE, None)
    else:
        state[LOADED_RANGE] = {"start": format_datetime(loaded[0]), "end": format_datetime(loaded[1])}
