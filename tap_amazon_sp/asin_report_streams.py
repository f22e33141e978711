"""Report streams whose reports take a few ASINs each (Search Query Performance): every window in parts.

Amazon's Search Query Performance report covers one reporting period, one marketplace and the ASINs of
its required `asin` option: space-separated, at most 200 characters, about 18 ASINs
(sellingPartnerSearchQueryPerformanceReport; SPAPI-NOTES Add. §3). The tap requests each window in as
many reports ("parts") as its ASINs need. Each part is a slot of its own (`Slot.part`), remembered in
state as soon as it is requested under `<window>#<part>`, so a sync that stops finds again every
part it had requested and requests only the others. The bookmark moves past a window once all its
parts are emitted, with their remembered reports dropped in the same STATE.

Which ASINs: those of the stream's `asin` report option when the config gives it. Otherwise every
ASIN of the brand with search data in the window's period, as Amazon's Search Catalog Performance
report of the same period and marketplace lists them (without its optional `asins` it covers all the
brand's ASINs): one more report per window, remembered under `<window>#asins`, and shared with the
GET_BRAND_ANALYTICS_SEARCH_CATALOG_PERFORMANCE_REPORT stream when that stream is synced too with the
same reportPeriod and no `asins` of its own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tap_amazon_sp.catalogue import BY_STREAM, AsinParts, ReportSpec
from tap_amazon_sp.client import Deferred
from tap_amazon_sp.errors import DocumentError
from tap_amazon_sp.formats import format_for
from tap_amazon_sp.inflight import CoolingDown, FatalReport, Slot, window_key, window_text
from tap_amazon_sp.report_streams import ReportStream
from tap_amazon_sp.reports import ReportRequest, ReportResult
from tap_amazon_sp.slots import PARTS_TO_COME
from tap_amazon_sp.windows import SyncRange

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

# The part of a window that names its ASINs (the listing report), in its slot's key.
LISTING_PART = "asins"


@dataclass
class PartedWindow:
    """One window of a partition: the report that names its ASINs (None when the config gives them),
    and its parts (None until that report is read)."""

    key: str  # the window's name in state (`slots.window_key`)
    lower: datetime
    upper: datetime
    listing: Slot | None
    parts: list[Slot] | None


class AsinReportStream(ReportStream):
    """A report stream whose windows are requested in parts of at most `AsinParts.max_chars` of ASINs."""

    def __init__(self, tap: Tap, spec: ReportSpec) -> None:
        super().__init__(tap, spec)
        assert spec.asin_parts is not None, "a catalogue row with asin_parts"
        self.asin_parts: AsinParts = spec.asin_parts
        self._listing_format = format_for(BY_STREAM[spec.asin_parts.listed_by])
        # Partitions stopped at a resting report: the windows left, to take up again.
        self._left: dict[str, list[PartedWindow]] = {}

    def _options(self) -> dict[str, str]:
        return {**dict(self.spec.default_options), **self.settings.report_options.get(self.spec.stream, {})}

    def plan(self, marketplace_id: str) -> list[PartedWindow]:
        """This sync's windows of a partition, in order, each with its listing report or its parts."""
        options = self._options()
        plan = self.spec.window_for(options)
        bookmark = self.start_bookmark({"marketplace_id": marketplace_id})
        sync = SyncRange.of(self.settings)
        self._tell_horizon(marketplace_id, plan, sync, bookmark)
        given = options.get(self.asin_parts.option, "")
        listed = {name: value for name, value in options.items() if name != self.asin_parts.option}
        windows = []
        for lower, upper in plan.windows(sync, bookmark):
            listing = self._request(self.asin_parts.listed_by, marketplace_id, lower, upper, listed)
            windows.append(
                PartedWindow(
                    window_key(listing),
                    lower,
                    upper,
                    None if given else Slot(self.name, marketplace_id, listing, part=LISTING_PART),
                    self._parts(marketplace_id, lower, upper, options, given) if given else None,
                )
            )
        return windows

    def _request(
        self, report_type: str, marketplace_id: str, lower: datetime, upper: datetime, options: dict[str, str]
    ) -> ReportRequest:
        names_last_second = self.spec.window_for(options).names_last_second
        return ReportRequest(report_type, (marketplace_id,), lower, upper, options, end_inclusive=names_last_second)

    def _parts(
        self, marketplace_id: str, lower: datetime, upper: datetime, options: dict[str, str], asins: str
    ) -> list[Slot]:
        """A window's reports, one per part of the ASINs, numbered from 1."""
        option = self.asin_parts.option
        return [
            Slot(
                self.name,
                marketplace_id,
                self._request(self.spec.report_type, marketplace_id, lower, upper, {**options, option: part}),
                part=str(number),
            )
            for number, part in enumerate(self.asin_parts.split(asins), start=1)
        ]

    @override
    def slots(self, marketplace_id: str, *, own: bool = False) -> list[Slot]:
        # What the sync's plan can know up front: each window's parts, or the report naming its ASINs.
        windows = self.plan(marketplace_id)
        listings = [window.listing for window in windows if window.listing]
        return listings + [slot for window in windows for slot in window.parts or ()]

    @override
    def planned_reports(self) -> Iterator[Slot]:
        # After a partition's listing reports, a slot stands for the parts they will name.
        planned = list(super().planned_reports())
        for index, slot in enumerate(planned):
            yield slot
            following = planned[index + 1] if index + 1 < len(planned) else None
            last = following is None or following.partition != slot.partition or following.part != LISTING_PART
            if slot.part == LISTING_PART and last:
                yield replace(slot, part=PARTS_TO_COME)

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        marketplace_id = str((context or {})["marketplace_id"])
        windows = self._left.pop(marketplace_id, None)
        if windows is None:
            windows = self.plan(marketplace_id)
            keys = {window.key for window in windows}
            pending = self.get_context_state({"marketplace_id": marketplace_id}).get("pending_reports") or {}
            self.prune_pending(marketplace_id, {key for key in pending if key.partition("#")[0] in keys})
        try:
            yield from self._windows_in_parts(context, marketplace_id, windows)
        except CoolingDown as rest:
            # The SDK syncs one stream at a time: the others go on, and this one comes back later.
            self._left[marketplace_id] = _from(windows, rest.slot)
            where = f"{self.name} {marketplace_id} {window_text(rest.slot.request)}"
            self.runtime.deferred.append(Deferred(self, dict(context or {}), rest.ready, rest.limit, where))
        except FatalReport as exc:
            # The bookmark stays before the window: a later sync asks again.
            self.runtime.incomplete.append(str(exc))

    def _windows_in_parts(
        self, context: Context | None, marketplace_id: str, windows: list[PartedWindow]
    ) -> Iterator[dict[str, Any]]:
        """Read the reports naming the windows' ASINs (all of them, requested ahead as planned), then
        every window's parts in order (requested ahead as soon as they are known), each window's
        bookmark after its last part. A report that stops the partition stops it after the windows
        before it."""
        stop: CoolingDown | FatalReport | None = None
        unlisted = [window for window in windows if window.parts is None]
        if unlisted:
            results = self.runtime.report_results(self, [w.listing for w in unlisted if w.listing])
            try:
                for window in unlisted:
                    try:
                        window.parts = self._listed_parts(window, marketplace_id, next(results))
                    except DocumentError:
                        if window.listing:
                            self.forget(window.listing)
                        raise
            except (CoolingDown, FatalReport) as exc:
                stop = exc
            finally:
                results.close()
        ready: list[PartedWindow] = []
        for window in windows:
            if window.parts is None:
                break
            ready.append(window)
        parts = [slot for window in ready for slot in window.parts or ()]
        results = self.runtime.report_results(self, parts, ahead=True)
        try:
            for window in ready:
                # Each part's result comes in its slot's order.
                window_parts = window.parts or []
                for number, part in enumerate(window_parts, start=1):
                    last = number == len(window_parts)
                    try:
                        yield from self._emit(next(results), marketplace_id, window.lower, window.upper, last=last)
                    except DocumentError:
                        # Its document never changes: the next sync requests a new report.
                        self.forget(part)
                        raise
                if not window_parts:
                    self.runtime.client.progress.window(self.name)
                self._commit_window(context, window)
        finally:
            results.close()
        if stop is not None:
            raise stop

    def _listed_parts(self, window: PartedWindow, marketplace_id: str, result: ReportResult) -> list[Slot]:
        """The window's parts, from the ASINs its listing report names (none: nothing to request)."""
        asins: set[str] = set()
        if result.status == "DONE" and result.document_id:
            describe = f"{result.request.report_type} report {result.report_id}"
            document = self.runtime.engine.document(result.document_id, describe=describe)
            reading = self._listing_format.read(
                document, marketplace_id=marketplace_id, report_id=result.report_id, logger=self.logger
            )
            asins = {str(record["asin"]) for record in reading if record.get("asin")}
        options = self._options()
        parts = self._parts(marketplace_id, window.lower, window.upper, options, " ".join(sorted(asins)))
        self.logger.info(
            "%s %s %s: %d ASINs with search data, from %s report %s: %d %s",
            self.name,
            marketplace_id,
            window_text(result.request),
            len(asins),
            result.request.report_type,
            result.report_id,
            len(parts),
            "report" if len(parts) == 1 else "reports",
        )
        return parts

    def _commit_window(self, context: Context | None, window: PartedWindow) -> None:
        """Move the bookmark past a window, dropping its parts' and its listing's reports in the same STATE."""
        state = self.get_context_state(context)
        pending = state.get("pending_reports")
        if isinstance(pending, dict):
            for key in [k for k in pending if k.partition("#")[0] == window.key]:
                del pending[key]
            if not pending:
                del state["pending_reports"]
        self.commit_bookmark(context, window.upper)


def _from(windows: list[PartedWindow], slot: Slot) -> list[PartedWindow]:
    """The windows left from the one holding `slot` on; of that window, its parts from `slot` on (those
    before it were emitted)."""
    for index, window in enumerate(windows):
        if window.listing == slot:
            return windows[index:]
        if window.parts and slot in window.parts:
            rest = PartedWindow(window.key, window.lower, window.upper, None, window.parts[window.parts.index(slot) :])
            return [rest, *windows[index + 1 :]]
    return windows
