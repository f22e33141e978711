"""Regional reports: Amazon builds some report types once per regional host for all of its
marketplaces. The tap requests each window once, for every marketplace of the sync, and hands each
row to the marketplace its sales channel names."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from tap_amazon_sp import marketplaces
from tap_amazon_sp.slots import Slot

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

    from tap_amazon_sp.reports import ReportResult
    from tap_amazon_sp.settings import Settings


class _RegionalStream(Protocol):
    """What regional attribution needs of its report stream."""

    name: str

    @property
    def tap(self) -> Tap: ...

    @property
    def settings(self) -> Settings: ...

    def slots(self, marketplace_id: str, *, own: bool = False) -> list[Slot]: ...

    def _emit(
        self, result: ReportResult, marketplace_id: str, start: datetime | None, end: datetime
    ) -> Iterator[dict[str, Any]]: ...

    def bookmark(self, context: Context | None) -> datetime | None: ...

    def commit_bookmark(self, context: Context | None, value: datetime, *, done: Slot | None = None) -> None: ...

    def commit_window(
        self, context: Context | None, window: tuple[datetime, datetime], *, floor: datetime, done: Slot | None
    ) -> None: ...

    @property
    def _floors(self) -> dict[str, datetime]: ...

    def _read_order(self, marketplace_id: str, *, newest_first: bool) -> list[tuple[int, Slot]]: ...

    def forget(self, slot: Slot) -> None: ...


class RegionalReports:
    """One request per host for a regional report type, its rows attributed by sales channel."""

    def _regional_order(
        self: _RegionalStream, marketplace_id: str, *, newest_first: bool
    ) -> tuple[list[tuple[int, Slot]], dict[str, datetime]]:
        """The partition's slots in the order they are read (each with its pass), and where each
        marketplace's own windows start in this sync.

        All of the host's windows go to its first marketplace; the others request nothing. The windows
        are those of the partition furthest behind, so each window is requested once for every
        marketplace of the sync, whatever their bookmarks; rows of windows before a marketplace's own
        start are not its to take. Read newest first, every marketplace keeps its own two marks.
        """
        markets = tuple(self.tap.marketplace_ids)  # type: ignore[attr-defined]
        if marketplace_id != markets[0]:
            return [], {}
        own = {market: self.slots(market, own=True) for market in markets}
        starts = {
            market: (slots[0].request.start or self.settings.end) if slots else self.settings.end
            for market, slots in own.items()
        }
        behind = min(markets, key=starts.__getitem__)
        order = self._read_order(behind, newest_first=newest_first)
        # One marketplace read newest first (or holding a range) makes them all keep two marks; the
        # floor is where the one plan's windows start, the same for each.
        floors = [self._floors[market] for market in markets if market in self._floors]
        if floors:
            self._floors.update(dict.fromkeys(markets, floors[0]))
        slots = [
            (at, Slot(self.name, marketplace_id, replace(slot.request, marketplace_ids=markets), slot.listable))
            for at, slot in order
        ]
        return slots, starts

    def _regional_window(
        self: _RegionalStream,
        result: ReportResult,
        slot: Slot,
        start: datetime | None,
        end: datetime,
        starts: Mapping[str, datetime],
    ) -> Iterator[dict[str, Any]]:
        """Emit one window of a regional report to the partitions it covers, then move their bookmarks.

        A row goes to the marketplace its sales channel names (a channel the tap cannot place, such as
        "Non-Amazon", to the first one); rows of marketplaces outside the sync are left out, and so are
        those of a partition whose bookmark is already past this window.
        """
        markets = slot.request.marketplace_ids
        wanted = {m for m in markets if starts[m] < end}
        for record in self._emit(result, slot.partition, start, end):
            channel = marketplaces.by_sales_channel(str(record.get("sales_channel") or ""))
            market = channel.marketplace_id if channel else slot.partition
            if market in wanted:
                record["marketplace_id"] = market
                yield record
        if start is not None and slot.partition in self._floors:
            # Read newest first: each marketplace's two marks take the window (loaded_range).
            for market in markets:
                window = (start, end)
                self.commit_window({"marketplace_id": market}, window, floor=self._floors[market], done=None)
            self.forget(slot)
            return
        # A bookmark never moves back (a partition ahead of the others keeps its own).
        behind = [m for m in markets if (self.bookmark({"marketplace_id": m}) or self.settings.start) < end]
        for market in behind:
            self.commit_bookmark({"marketplace_id": market}, end, done=slot if market == slot.partition else None)
        if slot.partition not in behind:
            self.forget(slot)
