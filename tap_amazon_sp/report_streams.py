"""Report streams: one class, configured by a row of the report catalogue."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tap_amazon_sp import marketplaces
from tap_amazon_sp.accounts import labelled_keys, labelled_schema
from tap_amazon_sp.catalogue import Account, ReportSpec
from tap_amazon_sp.client import AmazonSPStream, Deferred
from tap_amazon_sp.errors import DocumentError
from tap_amazon_sp.formats import LEFTOVER_PROPERTIES, format_for
from tap_amazon_sp.inflight import CoolingDown, FatalReport, Slot, window_text
from tap_amazon_sp.loaded_range import loaded_range
from tap_amazon_sp.records import format_datetime, parse_datetime
from tap_amazon_sp.regional_reports import RegionalReports
from tap_amazon_sp.report_records import ReportRecords
from tap_amazon_sp.reports import ReportRequest, ReportResult
from tap_amazon_sp.windows import SyncRange, WindowPlan, read_order

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context


class ReportStream(ReportRecords, AmazonSPStream, RegionalReports):
    """A stream whose records come from one report type's documents."""

    def __init__(self, tap: Tap, spec: ReportSpec) -> None:
        self.spec = spec
        # Partitions stopped at a resting report: the slots left, and the regional starts.
        self._stopped: dict[str, tuple[list[Slot], dict[str, datetime]]] = {}
        # Partitions told that Amazon's horizon starts after their start_date or bookmark.
        self._told_horizon: set[str] = set()
        # Whether a partition failed for good in this sync (so its snapshot is not whole).
        self._failed = False
        # Each partition's slots in the order they are read, with the pass of the sync that reads
        # each (windows.read_order), worked out once when the sync is planned.
        self._orders: dict[str, list[tuple[int, Slot]]] = {}
        # Partitions read newest first in this sync: where their windows start (their bookmark's floor).
        self._floors: dict[str, datetime] = {}
        # Regional reports: where each marketplace's own windows start (`_regional_order`).
        self._starts: dict[str, dict[str, datetime]] = {}
        # Partitions that stopped for good in this sync: no later pass reads them.
        self._ended: set[str] = set()
        # Brand Analytics needs Brand Registry and its own role, which most accounts lack: such a
        # stream is synced only when the catalog selects it.
        self.selected_by_default = spec.account is not Account.BRAND_OWNERS
        self.source = f"report `{spec.report_type}`"
        self.lifecycle = spec.lifecycle
        schema = spec.schema()
        schema["properties"].update(LEFTOVER_PROPERTIES)
        super().__init__(tap, schema=labelled_schema(schema), name=spec.stream)
        self.primary_keys = labelled_keys(spec.primary_key)
        self.replication_key = spec.replication_key
        self.format = format_for(spec)
        self.records_are_typed = self.format.typed
        self.window = spec.window

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        marketplace_id = str((context or {})["marketplace_id"])
        resumed = self._stopped.pop(marketplace_id, None)
        later: list[Slot] = []
        if resumed is not None:
            # Taken up again after a cool-down: the same windows from where it stopped.
            slots, starts = resumed
        else:
            order, number = self._ordered(marketplace_id), self.runtime.pass_number
            if number == 1:
                self.prune_pending(marketplace_id, {slot.key for _, slot in order})
            slots, starts = [slot for at, slot in order if at == number], self._starts.get(marketplace_id, {})
            later = [slot for at, slot in order if at > number]
        try:
            yield from self._windows(context, marketplace_id, slots, starts, more=bool(later))
        except CoolingDown as rest:
            # The SDK syncs one stream at a time: the others go on, and this one comes back later
            # (with the windows of its later passes, which no pass reads now).
            self._stopped[marketplace_id] = (slots[slots.index(rest.slot) :] + later, starts)
            self._ended.add(marketplace_id)
            where = f"{self.name} {marketplace_id} {window_text(rest.slot.request)}"
            self.runtime.deferred.append(Deferred(self, dict(context or {}), rest.ready, rest.limit, where))
        except FatalReport as exc:
            # The bookmark stays before the window; the other streams still finish, and the sync
            # then fails with this message.
            self._failed = True
            self._ended.add(marketplace_id)
            self.runtime.incomplete.append(str(exc))

    @override
    def reads_everything(self) -> bool:
        # A windowed stream read FULL_TABLE re-reads windows, not what Amazon holds now; a forecast
        # adds a generation beside the older ones, which a version would mark deleted.
        return not self.window.windowed and self.replication_key is None and not self.spec.keeps_history

    @override
    def pass_of(self, slot: Slot) -> int:
        for at, planned in self._orders.get(slot.partition, ()):
            if planned.ident == slot.ident:
                return at
        return 1

    @override
    def pass_contexts(self, number: int) -> list[dict[str, Any]]:
        return [
            {"marketplace_id": market}
            for market, order in self._orders.items()
            if market not in self._ended and any(at == number for at, _ in order)
        ]

    @override
    def snapshot_whole(self) -> bool:
        return not self._stopped and not self._failed

    def _windows(
        self,
        context: Context | None,
        marketplace_id: str,
        slots: list[Slot],
        starts: Mapping[str, datetime],
        *,
        more: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Emit the slots' reports in order, each window's bookmark after its records (`more`: a later
        pass of the sync reads more of this partition)."""
        for slot, result in zip(slots, self.runtime.report_results(self, slots, more=more), strict=True):
            try:
                yield from self._window(context, marketplace_id, slot, result, starts)
            except DocumentError:
                # A document never changes: the next sync requests a new report instead of reading it again.
                self.forget(slot)
                raise

    def _window(
        self,
        context: Context | None,
        marketplace_id: str,
        slot: Slot,
        result: ReportResult,
        starts: Mapping[str, datetime],
    ) -> Iterator[dict[str, Any]]:
        start, end = slot.request.start, slot.request.end
        if end is None:
            # A snapshot: no bookmark to move, only the report to forget.
            yield from self._emit(result, marketplace_id, None, self.settings.end)
            self.forget(slot)
        elif self.spec.regional:
            yield from self._regional_window(result, slot, start, end, starts)
        else:
            yield from self._emit(result, marketplace_id, start, end)
            floor = self._floors.get(marketplace_id)
            if floor is None or start is None:
                self.commit_bookmark(context, end, done=slot)
            else:
                self.commit_window(context, (start, end), floor=floor, done=slot)

    def slots(self, marketplace_id: str, *, own: bool = False) -> list[Slot]:
        """The reports this partition needs in this sync, in window order.

        A regional report's slots all belong to the first marketplace (see `_regional_order`);
        `own` asks for what the partition would need on its own.
        """
        if own:
            return [slot for _, slot in self._read_order(marketplace_id, newest_first=False)]
        return [slot for _, slot in self._ordered(marketplace_id)]

    def _ordered(self, marketplace_id: str) -> list[tuple[int, Slot]]:
        """The partition's slots in the order they are read, each with its pass (once per sync)."""
        order = self._orders.get(marketplace_id)
        if order is None:
            newest_first = self.settings.newest_first and not self.full_table
            if self.spec.regional:
                order, self._starts[marketplace_id] = self._regional_order(marketplace_id, newest_first=newest_first)
            else:
                order = self._read_order(marketplace_id, newest_first=newest_first)
            self._orders[marketplace_id] = order
        return order

    def _read_order(self, marketplace_id: str, *, newest_first: bool) -> list[tuple[int, Slot]]:
        settings = self.settings
        options = {**dict(self.spec.default_options), **settings.report_options.get(self.spec.stream, {})}
        # Listed reports do not show their options: reuse only reports no option can change.
        listable = not options and not self.spec.takes_options
        if not self.spec.windowed:
            request = ReportRequest(self.spec.report_type, (marketplace_id,), options=options)
            return [(1, Slot(self.name, marketplace_id, request, listable))]
        plan = self.spec.window_for(options)
        context = {"marketplace_id": marketplace_id}
        bookmark = self.start_bookmark(context)
        sync = SyncRange.of(self.settings)
        self._tell_horizon(marketplace_id, plan, sync, bookmark)
        loaded = loaded_range(self.get_context_state(context))
        windows = read_order(plan, sync, bookmark, loaded, newest_first=newest_first)
        if loaded is not None or any(at > 1 for _, at in windows):
            self._floors[marketplace_id] = plan.first(sync)
        report_type, markets = self.spec.report_type, (marketplace_id,)
        return [
            (
                at,
                Slot(
                    self.name,
                    marketplace_id,
                    ReportRequest(
                        report_type,
                        markets,
                        lower,
                        upper,
                        options,
                        end_inclusive=plan.names_last_second,
                        option_dates=plan.option_dates,
                    ),
                    listable,
                ),
            )
            for (lower, upper), at in windows
        ]

    def _tell_horizon(self, marketplace_id: str, plan: WindowPlan, sync: SyncRange, bookmark: datetime | None) -> None:
        """Say once per partition that its windows start later than asked: Amazon refuses older ones."""
        oldest = plan.short_of_horizon(sync, bookmark)
        if oldest is None or marketplace_id in self._told_horizon:
            return
        self._told_horizon.add(marketplace_id)
        self.logger.info(
            "%s %s: Amazon serves the last %s only: reading from %s, not from the %s",
            self.name,
            marketplace_id,
            plan.horizon_text,
            format_datetime(oldest),
            "start_date" if bookmark is None else "bookmark",
        )

    @override
    def planned_reports(self) -> Iterator[Slot]:
        # A removed type requests nothing (AmazonSPStream.sync).
        if not self.selected or self.lifecycle.removed:
            return
        for partition in self.partitions or []:
            yield from self.slots(str(partition["marketplace_id"]))


class ListedReportStream(ReportStream):
    """A stream of the reports Amazon makes on its own (settlements): listed and read, never requested."""

    # Amazon lists what it made of a removed Amazon-generated type for 90 days more.
    still_listed = True
    syncs_first = True

    @property
    @override
    def partitions(self) -> list[dict[str, Any]] | None:
        # Amazon lists settlements per account and currency, for every marketplace of the host,
        # whatever marketplaceIds say (Add. §1): one partition per host, or each would come
        # once per marketplace.
        return [{"region": self.settings.region}]

    @override
    def planned_reports(self) -> Iterator[Slot]:
        return iter(())

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        """Every report Amazon made of this type since the bookmark, oldest period first.

        The bookmark moves past a period end once every report ending then is emitted (several
        currencies can share one), so a sync stopped between them reads them again.
        """
        settings = self.settings
        markets = tuple(self.tap.marketplace_ids)  # type: ignore[attr-defined]
        mark = self.start_bookmark(context)
        if mark is None and not self.full_table:
            mark = self._bookmark_per_marketplace(markets)
        since, created_since = self.window.listed_since(SyncRange.of(self.settings), mark)
        emitted: datetime | None = None
        runtime = self.runtime
        # The plan is said before the first request; the listing goes first, while getReports's
        # quota is untouched by the report reuse that requesting ahead looks for.
        runtime.plan()
        for report in runtime.engine.list_done(self.spec.report_type, markets, created_since):
            end = parse_datetime(str(report.get("dataEndTime") or report["createdTime"]))
            if end <= since or end > settings.end:
                continue
            # Each document waits for getReportDocument's quota; meanwhile createReport's is used.
            runtime.request_ahead()
            if emitted is not None and end > emitted:
                self.commit_bookmark(context, emitted)
            # Read as the marketplace Amazon names on the report (its dates, numbers, charset).
            named = [str(m) for m in report.get("marketplaceIds") or [] if str(m) in marketplaces.BY_ID]
            marketplace_id = named[0] if named else markets[0]
            start_raw = report.get("dataStartTime")
            start = parse_datetime(str(start_raw)) if start_raw else None
            result = ReportResult(
                ReportRequest(self.spec.report_type, (marketplace_id,)),
                str(report["reportId"]),
                "DONE",
                report.get("reportDocumentId"),
                0.0,
            )
            for record in self._emit(result, marketplace_id, start, end, planned=False):
                record["region"] = settings.region
                yield record
            emitted = end
        if emitted is not None:
            self.commit_bookmark(context, emitted)

    def _bookmark_per_marketplace(self, markets: tuple[str, ...]) -> datetime | None:
        """Where an earlier version of the tap left this stream, which it partitioned by marketplace:
        the bookmark furthest behind, so that no report is skipped (those read again are upserted by
        key). None when one of the marketplaces has none."""
        found: dict[str, datetime] = {}
        for partition in self.stream_state.get("partitions") or []:
            market = (partition.get("context") or {}).get("marketplace_id")
            value = partition.get("replication_key_value")
            if market in markets and value:
                found[market] = parse_datetime(str(value))
        return min(found.values()) if len(found) == len(markets) else None
