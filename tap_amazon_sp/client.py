"""The base stream of every SP-API stream, and the runtime they share (settings, token, quotas)."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import requests
from requests.adapters import HTTPAdapter
from singer_sdk.singerlib import Catalog, MetadataMapping

from tap_amazon_sp import catalog_input, state_input
from tap_amazon_sp.accounts import ACCOUNT, labelled_keys, labelled_schema
from tap_amazon_sp.auth import LWAToken
from tap_amazon_sp.catalogue import DAILY, NEAR_REAL_TIME, REPORT_TYPES
from tap_amazon_sp.datakiosk import DataKioskEngine
from tap_amazon_sp.errors import CatalogError, ReportError
from tap_amazon_sp.inflight import Scheduler, Slot
from tap_amazon_sp.lifecycle import AVAILABLE, METADATA_KEY, Lifecycle
from tap_amazon_sp.loaded_range import after_window, loaded_range, write_range
from tap_amazon_sp.operations import APIS, OPERATIONS
from tap_amazon_sp.paging import PagedReads, dig, merged
from tap_amazon_sp.pending_reports import PendingReports, drop_pending
from tap_amazon_sp.progress import SyncProgress, acting_for
from tap_amazon_sp.ratelimit import UsagePlans
from tap_amazon_sp.records import amazon_time, exact_numbers, format_datetime, parse_datetime, snake_keys
from tap_amazon_sp.reports import ReportEngine, ReportResult
from tap_amazon_sp.retry import Backoff, Retries
from tap_amazon_sp.sdk_edge import EdgeStream
from tap_amazon_sp.settings import Settings
from tap_amazon_sp.spapi import SPAPIClient
from tap_amazon_sp.state_input import BOOKMARK
from tap_amazon_sp.windows import SNAPSHOT, SyncRange, Window, WindowPlan

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


@dataclass
class Runtime:
    """What every stream of one sync shares: one token, one set of usage plans, one engine."""

    settings: Settings
    client: SPAPIClient
    engine: ReportEngine
    scheduler: Scheduler
    # Stream partitions stopped at a report that rests after a FATAL, to take up again at the end.
    deferred: list[Deferred] = field(default_factory=list)
    # Why the sync is incomplete, once every stream that could finish has.
    incomplete: list[str] = field(default_factory=list)
    # The sync's streams in the order the SDK syncs them, whose reports make the sync's plan.
    streams: Callable[[], Iterable[object]] = tuple
    # Which pass over the streams this is: the SDK's own is the first, and streams read newest
    # first are read back in time in later ones (`read_later_passes`).
    pass_number: int = 1

    @cached_property
    def kiosk(self) -> DataKioskEngine:
        """The Data Kiosk engine, made when a Data Kiosk stream first syncs; it requests as many
        windows ahead as the report scheduler keeps in flight (none with wait_between_requests)."""
        settings = self.settings
        # Unset, the in-flight limit is sized for reports; queries keep within createQuery's burst.
        limit = settings.max_reports_in_flight or OPERATIONS["createQuery"].burst
        ahead = 0 if settings.wait_between_requests else limit - 1
        return DataKioskEngine(self.client, logger=self.engine.logger, max_wait=settings.max_report_wait, ahead=ahead)

    def report_results(
        self, owner: AmazonSPStream, slots: list[Slot], *, ahead: bool = False, more: bool = False
    ) -> Generator[ReportResult, None, None]:
        """The results of one stream partition's report slots, in their order (`Scheduler.results`).

        The scheduler has learnt every report of the sync first (`plan`), so it can request reports
        ahead of the streams that will read them. `more`: a later pass reads more of the partition.
        """
        self.plan()
        return self.scheduler.results(owner, slots, ahead=ahead, more=more)

    def request_ahead(self) -> None:
        """Plan the sync (once) and request the reports that are due (`Scheduler.request_ahead`)."""
        self.plan()
        self.scheduler.request_ahead()

    def plan(self) -> None:
        """Give the scheduler every report of the sync (once), which logs the sync's plan: called
        when the first stream starts, so the plan is said before the first request. Reports are
        planned in the order they are read: pass by pass, and in each pass stream by stream."""
        if not self.scheduler.planned:
            planned = [
                (stream.pass_of(slot), stream, slot)
                for stream in self.streams()
                if isinstance(stream, AmazonSPStream)
                for slot in stream.planned_reports()
            ]
            planned.sort(key=lambda item: item[0])
            later = any(number > 1 for number, _, _ in planned)
            newest = sum(number == 1 for number, _, _ in planned) if later else 0
            self.scheduler.plan(((stream, slot) for _, stream, slot in planned), newest=newest)

    def read_later_passes(self) -> None:
        """After the SDK's pass over the streams (every stream's newest window, for those read newest
        first): the passes that read them further back, each stream partition in turn."""
        streams = [stream for stream in self.streams() if isinstance(stream, AmazonSPStream)]
        number = 2
        while True:
            due = [(stream, context) for stream in streams for context in stream.pass_contexts(number)]
            if not due:
                return
            self.pass_number = number
            for stream, context in due:
                stream.sync(context)
                stream.finalize_state_progress_markers()
            number += 1

    def take_up_deferred(self, logger: logging.Logger, sleep: Callable[[float], None] = time.sleep) -> None:
        """After every stream had its turn: take up each stopped partition once its cool-down has
        passed, waiting at most `max_cooldown_wait_seconds`; then fail if anything is left undone.

        Waiting longer would hold the sync (and whatever runs it) for hours: such a partition stops
        with its bookmark before the window, and one line says when a rerun can succeed.
        """
        while self.deferred:
            self.deferred.sort(key=lambda d: d.ready)
            item = self.deferred.pop(0)
            wait = (item.ready - datetime.now(timezone.utc)).total_seconds()
            if wait > self.settings.max_cooldown_wait:
                line = (
                    f"{item.where}: stopped before this window: {item.limit}, and the cool-down ends "
                    f"{_utc(item.ready)} UTC, later than a sync waits (max_cooldown_wait_seconds: "
                    f"{self.settings.max_cooldown_wait:g}); a rerun from {_utc(item.ready)} UTC on can succeed"
                )
                logger.error("%s", line)
                self.incomplete.append(f"{item.where} stopped until {_utc(item.ready)} UTC")
                continue
            if wait > 0:
                logger.info("%s: waiting %.0f s for its cool-down to pass", item.where, wait)
                sleep(wait)
            item.stream.sync(item.context)
            item.stream.finalize_state_progress_markers()
        if self.incomplete:
            raise ReportError("the sync is incomplete, every other stream finished: " + "; ".join(self.incomplete))

    @classmethod
    def build(
        cls, settings: Settings, logger: logging.Logger, streams: Callable[[], Iterable[object]] = tuple
    ) -> Runtime:
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        token = LWAToken(
            token_url=settings.token_url,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            refresh_token=settings.refresh_token,
            session=session,
            timeout=settings.request_timeout,
        )
        conservative = frozenset({"createReport"}) if settings.wait_between_requests else frozenset()
        client = SPAPIClient(
            base_url=settings.sp_api_url,
            token=token,
            session=session,
            plans=UsagePlans(conservative=conservative),
            logger=logger,
            backoff=Backoff(base=settings.retry_base),
            timeout=settings.request_timeout,
            progress=SyncProgress(logger, heartbeat=settings.progress_interval),
        )
        engine = ReportEngine(
            client,
            logger=logger,
            max_wait=settings.max_report_wait,
        )
        cooldowns = {NEAR_REAL_TIME: settings.fba_near_real_time_cooldown, DAILY: settings.fba_daily_cooldown}

        def cooldown(report_type: str) -> tuple[float, str | None]:
            kind = REPORT_TYPES[report_type].regeneration if report_type in REPORT_TYPES else None
            return (cooldowns[kind], kind) if kind else (settings.fatal_cooldown, None)

        scheduler = Scheduler(
            engine,
            fatal_retries=settings.fatal_retries,
            cooldown=cooldown,
            # Conservative pacing: one report at a time, as well as no createReport bursts.
            limit=1 if settings.wait_between_requests else settings.max_reports_in_flight,
            reuse_max_age=timedelta(hours=settings.report_reuse_max_age_hours),
            marketplace_ids=settings.marketplace_ids,
            logger=logger,
        )
        return cls(settings, client, engine, scheduler, streams=streams)


class LifecycleMetadata(MetadataMapping):
    """The SDK's stream metadata, with the stream's lifecycle under a custom key of its root breadcrumb.

    The SDK's metadata classes keep only the Singer keys they know, so the key is added where the
    catalog is written out.
    """

    lifecycle: dict[str, Any]

    @override
    def to_list(self) -> list[dict[str, Any]]:
        entries = super().to_list()
        for entry in entries:
            if entry["breadcrumb"] == []:
                entry["metadata"][METADATA_KEY] = self.lifecycle
        return entries


@dataclass
class Deferred:
    """A stream partition stopped at a report whose type and marketplaces rest until `ready`."""

    stream: AmazonSPStream
    context: dict[str, Any]
    ready: datetime
    limit: str  # why it rests, as a clause
    where: str  # the stream, partition and window, for the log


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class AmazonSPStream(EdgeStream, PendingReports):
    """Behaviour shared by all SP-API streams: partitions per marketplace, exact bookmarks, lifecycle.

    Bookmarks move only when a whole window (or page) has been emitted, never per record, so a
    sync killed at any point resumes without a gap. The reports requested and not read yet are kept
    beside them (`PendingReports`).
    """

    is_sorted = True
    # Where the records come from, for the README's streams table and the lifecycle warnings.
    source: str = ""
    # Whether Amazon still serves the source (lifecycle.py); every stream has one.
    lifecycle: Lifecycle = AVAILABLE
    # Whether what Amazon made before removing the source can still be read (listed reports).
    still_listed: bool = False
    # Synced before the other streams: it requests no report, and reads what Amazon made at the pace
    # of getReportDocument's quota, while createReport's builds the other streams' first reports.
    syncs_first: bool = False
    # How the stream cuts the synced range into requests (windows.py); a snapshot has no windows.
    window: WindowPlan = SNAPSHOT
    _lifecycle_told = False
    # Whether each committed bookmark is one window done (REST streams); report streams count their
    # windows where they emit them (a regional report commits a bookmark per marketplace).
    windows_at_commit: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A stream that declares its schema or key on the class gets the account column there, so
        # that the class, its instances and discovery all say the same (ReportStream labels its own).
        declared = cls.__dict__
        if isinstance(declared.get("schema"), dict):
            cls.schema = labelled_schema(declared["schema"])  # type: ignore[assignment]
        if isinstance(declared.get("primary_keys"), list):
            cls.primary_keys = labelled_keys(declared["primary_keys"])  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Partitions already told how their bookmark is read (see `start_bookmark`).
        self._told: set[str] = set()
        super().__init__(*args, **kwargs)
        if self.lifecycle.removed:
            self.selected_by_default = False

    @property
    @override
    def metadata(self) -> MetadataMapping:
        mapping = super().metadata
        if not isinstance(mapping, LifecycleMetadata):
            mapping = LifecycleMetadata(mapping)
            mapping.lifecycle = self.lifecycle.metadata()
            self.keep_metadata(mapping)
        return mapping

    # The SDK marks `sync` final, but it has no hook between the SCHEMA it sends and the records it
    # asks every stream for: a removed source must send the one and ask for nothing. The SDK's own
    # sync runs unchanged for every other stream.
    @override  # type: ignore[misc]
    def sync(self, context: Context | None = None) -> None:
        # Said once per sync (a child stream's sync runs once per parent page).
        if not self._lifecycle_told:
            self._lifecycle_told = True
            warning = self.lifecycle.warning(self.name, self.source or self.name, still_listed=self.still_listed)
            if warning:
                self.logger.warning("%s", warning)
        if self.lifecycle.removed and not self.still_listed:
            # Nothing left to ask for: the SCHEMA alone keeps the table, and the bookmarks stay.
            if self.selected:
                self.write_schema()
            return
        self.runtime.plan()
        with acting_for(self.name):
            super().sync(context)

    @override
    def post_process(self, row: dict[str, Any], context: Context | None = None) -> dict[str, Any] | None:
        row[ACCOUNT] = self.settings.account_id
        return row

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.tap.runtime  # type: ignore[attr-defined]
        return runtime

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def planned_reports(self) -> Iterator[Slot]:
        """Every report this stream will ask for in this sync, in order (none, but for report streams)."""
        return iter(())

    def reads_everything(self) -> bool:
        """Whether one sync reads everything Amazon holds now (no windows, no since-date, not a
        parent record's part), so a row no sync reads any more is gone from Amazon."""
        return False

    @override
    def versions_snapshots(self) -> bool:
        # With an account_id, other accounts share the table, and a target deactivates every older
        # version in it, theirs too: one account's snapshot would mark the others' rows deleted.
        return self.reads_everything() and not self.settings.account_id

    def pass_of(self, slot: Slot) -> int:
        """The pass over the streams that reads a planned report (`Runtime.read_later_passes`)."""
        return 1

    def pass_contexts(self, number: int) -> list[dict[str, Any]]:
        """The partitions pass `number` (2 or later) reads more of."""
        return []

    @property
    @override
    def partitions(self) -> list[dict[str, Any]] | None:
        return [{"marketplace_id": m} for m in self.tap.marketplace_ids]  # type: ignore[attr-defined]

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> datetime | Any | None:
        # Windows never reach past end_date (itself never past now): no signpost needed.
        return None

    @override
    def generate_child_contexts(self, record: dict[str, Any], context: Context | None) -> Iterator[Context | None]:
        # Without child streams the SDK's default still builds and copies a context per record.
        if self.child_streams:
            yield from super().generate_child_contexts(record, context)

    @override
    def apply_catalog(self, catalog: Catalog) -> None:
        own_key = self.replication_key
        super().apply_catalog(catalog)
        requested = getattr(self.tap, "catalog_methods", {}).get(self.name)
        if requested:
            self.forced_replication_method = requested
        if self.replication_key != own_key:
            # Bookmarks are window ends, whatever column a catalog names.
            if self.replication_key:
                self.logger.warning(
                    "%s: the catalog's replication-key %s is not one this stream can keep; %s",
                    self.name,
                    self.replication_key,
                    f"its bookmark stays on {own_key}" if own_key else "it keeps no bookmark",
                )
            self.replication_key = own_key
        properties = self.effective_schema.get("properties") or {}
        needed = [name for name in (*self.primary_keys, own_key) if name and name not in properties]
        if needed and self.selected:
            raise CatalogError(
                f"catalog: the schema of stream {self.name} leaves out {', '.join(needed)}, which its "
                "key-properties and bookmark need: without them a target cannot tell its rows apart"
            )
        method = self.replication_method.upper()
        if method not in catalog_input.METHODS:
            raise CatalogError(
                f"catalog: stream {self.name} asks for replication-method {self.replication_method}; "
                f"this tap syncs {catalog_input.INCREMENTAL} or {catalog_input.FULL_TABLE}"
            )
        if method == catalog_input.INCREMENTAL and own_key is None:
            self.logger.warning(
                "%s: the catalog asks for INCREMENTAL, but this stream has no bookmark: it is "
                "read whole on every run (FULL_TABLE)",
                self.name,
            )
            method = catalog_input.FULL_TABLE
        self.forced_replication_method = method if self.forced_replication_method else None

    @property
    def full_table(self) -> bool:
        """Whether the catalog asks a stream that keeps a bookmark to read everything from start_date."""
        return self.replication_key is not None and self.replication_method == catalog_input.FULL_TABLE

    def bookmark(self, context: Context | None) -> datetime | None:
        """Where the last completed window of this partition ended."""
        value = self.get_context_state(context).get(BOOKMARK)
        return parse_datetime(str(value)) if value else None

    def start_bookmark(self, context: Context | None) -> datetime | None:
        """The bookmark this sync starts from: none for FULL_TABLE (the stored one stays, and moves on
        only past it, for later INCREMENTAL runs). Says once per partition when it makes the sync empty."""
        if "" not in self._told:
            self._told.add("")
            unused = state_input.unused_bookmarks(self.name, self.tap_state, per_partition=self.partitions is not None)
            if unused:
                self.logger.warning("%s", unused)
        mark = self.bookmark(context)
        key = repr(sorted((context or {}).items()))
        told = key in self._told
        self._told.add(key)
        where = f"{self.name}{' ' + str(context['marketplace_id']) if context and 'marketplace_id' in context else ''}"
        if self.full_table:
            if not told:
                self.logger.info(
                    "%s: replication-method FULL_TABLE in the catalog: reading from start_date %s, not from the "
                    "bookmark (%s), which is kept for INCREMENTAL runs",
                    where,
                    format_datetime(self.settings.start),
                    format_datetime(mark) if mark else "none",
                )
            return None
        end = self.settings.end
        if mark is not None and mark > end and not told:
            now = datetime.now(timezone.utc)
            why = "in the future" if mark > now else f"after end_date {format_datetime(end)}"
            self.logger.warning(
                "%s: the bookmark %s is %s: nothing to read (set end_date later, or edit the state if it is wrong)",
                where,
                format_datetime(mark),
                why,
            )
        return mark

    def commit_window(self, context: Context | None, window: Window, *, floor: datetime, done: Slot | None) -> None:
        """Record that `window` of a partition read newest first has been emitted (`loaded_range`):
        the bookmark moves only when everything from `floor` (where the sync's windows start) up to
        its new place is loaded; until then the window widens the range kept beside it."""
        state = self.get_context_state(context)
        current = self.bookmark(context)
        mark = max(current, floor) if current is not None else floor
        moved, loaded = after_window(mark, loaded_range(state), window)
        write_range(state, loaded)
        if moved is not None:
            self.commit_bookmark(context, moved, done=done)
            return
        if self.windows_at_commit:
            self.runtime.client.progress.window(self.name)
        if done is not None:
            drop_pending(state, done.key)
        self.flush_state()

    def commit_bookmark(self, context: Context | None, value: datetime, *, done: Slot | None = None) -> None:
        """Record that everything up to `value` has been emitted, and say so in a STATE message.

        The report of the window just emitted (`done`) leaves `pending_reports` in the same message.
        A bookmark never moves back: a window re-read before it (the look-back) leaves it where it is.
        """
        current = self.bookmark(context)
        if current is not None and current > value:
            value = current
        if self.windows_at_commit:
            self.runtime.client.progress.window(self.name)
        state = self.get_context_state(context)
        state["replication_key"] = self.replication_key
        state[BOOKMARK] = format_datetime(value)
        if done is not None:
            drop_pending(state, done.key)
        self.flush_state()


class RestStream(AmazonSPStream, PagedReads):
    """A stream read from one paged SP-API operation (not a report), in time windows or as a snapshot.

    Most streams only declare: the operation (its row in operations.py has the path), the
    parameters every request carries, the two that bound a window, where a page holds its records
    and its next token (paging.py), the schema and the window plan. Records are the items at
    `records_path`, snake-cased. Hooks (`base_params`, `record`, `page_records`, ...) serve what a
    declaration cannot say. This class owns windows, look-back and bookmarks, and sends parameters as
    a query string or, with `json_body`, as a JSON body. A window's bookmark is committed only after
    its last page was emitted.
    """

    # Which account types have the stream, and the regions whose host serves it (see `rest_stream_classes`).
    account_types: ClassVar[tuple[str, ...]] = ("Seller",)
    regions: ClassVar[tuple[str, ...]] = ("NA", "EU", "FE")
    # Whether a request carries its parameters as a JSON body (POST operations), not a query string.
    json_body: ClassVar[bool] = False
    # Parameters every request carries; MARKETPLACE stands for the partition's marketplace id.
    request_params: ClassVar[Mapping[str, Any]] = {}
    # The parameters that bound a window [start, end), sent as Amazon's ISO instants.
    window_bounds: ClassVar[tuple[str, str] | None] = None
    # One partition per marketplace (the operation takes one), each record naming it in
    # `marketplace_id`; otherwise one request chain covers the account.
    per_marketplace: ClassVar[bool] = False
    # Whether the items' amounts are Amazon's lossless decimals, kept exact (records.exact_numbers).
    exact: ClassVar[bool] = False
    # Record properties copied from inside the record (snake-cased paths), e.g. a marketplace id.
    copied: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    windows_at_commit = True
    _horizon_told = False
    # Whether the operation, as the stream calls it, lists everything Amazon holds now (no windows,
    # no since-date, not per parent record): its records then carry a table version, and after a
    # whole read ACTIVATE_VERSION lets a target soft-delete the rows Amazon no longer lists.
    whole_snapshot: ClassVar[bool] = False
    # Whether a partition stopped without raising in this sync (`stop_without_role`): no whole snapshot.
    _stopped_short = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            _REST_STREAMS.append(cls)

    @property
    @override
    def partitions(self) -> list[dict[str, Any]] | None:
        return super().partitions if self.per_marketplace else None

    @override
    def reads_everything(self) -> bool:
        return self.whole_snapshot

    @override
    def snapshot_whole(self) -> bool:
        # Every other way a read stops short raises, and a sync that raises sends no ACTIVATE_VERSION.
        return not self._stopped_short

    # ---- hooks for what a declaration cannot say ---------------------------------------------

    @override
    def page_records(self, body: Mapping[str, Any], context: Context | None) -> list[dict[str, Any]]:
        """The records of one page, in the stream's shape: by default `record` of each item at `records_path`."""
        if not self.records_path:
            raise NotImplementedError
        return [self.record(item, context) for item in dig(body, self.records_path) or []]

    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        """One item of a page as a record (for the default `page_records`)."""
        data = dict(snake_keys(item))
        if self.exact:
            data = exact_numbers(data)
        for name, path in self.copied.items():
            data[name] = dig(data, path)
        if self.per_marketplace:
            data["marketplace_id"] = str((context or {})["marketplace_id"])
        return data

    def window_params(self, start: datetime, end: datetime) -> dict[str, Any]:
        """Parameters (query, or JSON body) of a windowed stream's first request for [start, end),
        laid over `base_params`."""
        if self.window_bounds is None:
            raise NotImplementedError
        lower, upper = self.window_bounds
        return {lower: amazon_time(start), upper: amazon_time(end)}

    def base_params(self, context: Context | None) -> dict[str, Any]:
        """Parameters (query, or JSON body) every request of this stream carries."""
        marketplace_id = str((context or {}).get("marketplace_id", ""))
        return {name: _for_marketplace(value, marketplace_id) for name, value in self.request_params.items()}

    def complete(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with every property of the schema, null where Amazon left it out."""
        return {**self._blank_record, **record}

    @cached_property
    def _blank_record(self) -> dict[str, None]:
        return dict.fromkeys(self.schema["properties"])

    @override
    def page_retries(self) -> Retries | None:
        if self.refused_page_tries < 2:
            return None
        backoff = Backoff(base=self.settings.retry_base)
        return Retries(tries=self.refused_page_tries, backoff=backoff, logger=self.logger)

    def serves(self, context: Context | None) -> bool:
        """Whether Amazon serves this stream in a partition (every one, unless a stream says otherwise)."""
        return True

    def stop_without_role(
        self, refusal: Exception, refused: str = "Amazon refused it", kept: str = "this one's bookmark stays"
    ) -> None:
        """Stop this stream, the others going on, when Amazon refuses the app its API's role: said in
        one line naming the role (`refused` says who refused what, `kept` what stays), and the sync
        then fails with that line, as for a report that ends FATAL."""
        self._stopped_short = True
        role = APIS[OPERATIONS[self.operation].api].role
        self.logger.error(
            "%s: stopped, %s (%s): the app lacks the %s role; add it to the app (then authorize it again) or "
            "deselect this stream. The other streams go on, and %s",
            self.name,
            refused,
            refusal,
            role,
            kept,
        )
        self.runtime.incomplete.append(f"{self.name} stopped: the app lacks the {role} role")

    def probe(self) -> dict[str, Any] | None:
        """One request as a sync of this stream makes it, for `--test`: the first page of its newest
        window in the first partition Amazon serves (None if it serves none of them)."""
        contexts: list[Context | None] = [*self.partitions] if self.partitions else [None]
        served = [c for c in contexts if self.serves(c)]
        if not served:
            return None
        context = served[0]
        params = self.base_params(context)
        if self.window.windowed:
            spans = self.time_windows(self.sync_start(context))
            if spans:
                params = merged(params, self.window_params(*spans[-1]))
        if self.offset_paging is not None:
            params = self.offset_paging.page(params, 0)
        return self.request(params)

    # ---- windows (the stream's `window` plan) -------------------------------------------------

    def sync_start(self, context: Context | None) -> datetime:
        """Where this sync starts: the bookmark less the look-back, never before the start date nor
        before what Amazon still serves (said once per sync when that is later than asked)."""
        sync, mark = SyncRange.of(self.settings), self.start_bookmark(context)
        oldest = self.window.short_of_horizon(sync, mark)
        if oldest is not None and not self._horizon_told:
            self._horizon_told = True
            self.logger.info(
                "%s: Amazon serves the last %s only: reading from %s",
                self.name,
                self.window.horizon_text,
                oldest.date(),
            )
        return self.window.start(sync, mark)

    def time_windows(self, start: datetime) -> list[Window]:
        """[start, the newest end the plan allows) cut into the plan's windows."""
        sync = SyncRange.of(self.settings)
        return self.window.cut(start, self.window.last_end(sync), sync.period_days)

    def request(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """One call of the stream's operation."""
        if self.json_body:
            return self.runtime.client.call(self.operation, json=params)
        return self.runtime.client.call(self.operation, params=params)

    def windowed_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        """Every window from the bookmark (less the look-back) on, committing each after its last page."""
        return self.read_windows(context, [self])

    def read_windows(
        self, context: Context | None, readers: list[RestStream], **chain: Any
    ) -> Iterator[dict[str, Any]]:
        """Every window from the earliest bookmark of `readers` (this stream, and a child reading its
        pages) on, committing each reader's bookmark after the window's last page; `chain` goes to
        `read_chain` (`seen`, `on_page`)."""
        if not readers:
            return
        base = self.base_params(context)
        for start, end in self.time_windows(min(s.sync_start(context) for s in readers)):
            yield from self.read_chain(merged(base, self.window_params(start, end)), context, **chain)
            for stream in readers:
                stream.commit_bookmark(context, end)

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        if self.window.windowed:
            yield from self.windowed_records(context)
        else:
            yield from self.read_chain(self.base_params(context), context)
            self.runtime.client.progress.window(self.name)


class PageParent(RestStream):
    """A stream whose child stream reads what each of its pages held (an order's items, a shipment's
    items): both read the parent's windows, each keeping its own bookmark (moved only when
    selected), and the child syncs once per page, after the page's last record was emitted.

    Not through the SDK's child contexts, which it follows only for records a stream map's
    `__filter__` keeps: the child's records must not depend on whether a parent record passes it.
    """

    # The child stream's name (the child names this class as its `parent_stream_type`).
    child_name: ClassVar[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Records emitted in this sync (by `record_key`): pages that overlap emit a record once.
        self._seen: set[tuple[Any, ...]] = set()
        self._page_last: dict[str, Any] | None = None

    @property
    def child(self) -> RestStream:
        stream = self.tap.streams[self.child_name]
        assert isinstance(stream, RestStream)
        return stream

    def readers(self) -> list[RestStream]:
        """The streams of the two that are selected: those whose bookmarks the windows move."""
        return [s for s in (self, self.child) if s.selected]

    def keep_page(self, fresh: list[dict[str, Any]]) -> None:
        """`read_chain`'s `on_page`: a subclass keeps what the child reads of the page's records
        emitted first in this sync, then calls this."""
        self._page_last = fresh[-1] if fresh else None

    def page_context(self, record: dict[str, Any]) -> Context | None:
        """The context of the child's sync for the page whose last record is `record` (None when the
        child has nothing of it waiting)."""
        raise NotImplementedError

    @override
    def after_record(self, record: dict[str, Any]) -> None:
        if record is self._page_last and (context := self.page_context(record)) is not None:
            self.sync_children_now(context)

    @override
    def generate_child_contexts(self, record: dict[str, Any], context: Context | None) -> Iterator[Context | None]:
        return iter(())

    @override
    def windowed_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        return self.read_windows(context, self.readers(), seen=self._seen, on_page=self.keep_page)


# Stands for the partition's marketplace id in a stream's `request_params` (alone, or in a list).
MARKETPLACE = "<marketplace_id>"
# Every RestStream class with a name, in the order their modules define them.
_REST_STREAMS: list[type[RestStream]] = []


def _for_marketplace(value: Any, marketplace_id: str) -> Any:
    if value == MARKETPLACE:
        return marketplace_id
    if isinstance(value, (list, tuple)):
        return [_for_marketplace(item, marketplace_id) for item in value]
    return value


def rest_stream_classes(account_type: str | None = None, region: str | None = None) -> dict[str, type[RestStream]]:
    """Every REST stream of an account type (of any, if None) whose API the host of `region` (NA, EU
    or FE; any, if None) serves, by name, found in the `*_streams` modules.

    Streams are listed by API, in the order of their operations in operations.py, and each API's
    streams in the order its module declares them: a new stream needs no list of streams edited.
    """
    package = importlib.import_module("tap_amazon_sp")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.endswith("_streams"):
            importlib.import_module(f"tap_amazon_sp.{module.name}")
    order = {name: index for index, name in enumerate(OPERATIONS)}
    first: dict[str, int] = {}
    for cls in _REST_STREAMS:
        first[cls.__module__] = min(first.get(cls.__module__, len(order)), order.get(cls.operation, len(order)))
    found = [
        cls
        for cls in _REST_STREAMS
        if (account_type is None or account_type in cls.account_types) and (region is None or region in cls.regions)
    ]
    return {str(cls.__dict__["name"]): cls for cls in sorted(found, key=lambda cls: first[cls.__module__])}
