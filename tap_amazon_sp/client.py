"""The base stream of every SP-API stream, and the runtime they share (settings, token, quotas)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from singer_sdk import Stream
from singer_sdk.mapper import SameRecordTransform

from tap_amazon_sp.auth import LWAToken
from tap_amazon_sp.inflight import Scheduler, Slot, options_key
from tap_amazon_sp.output import RecordLineWriter, TapMessageWriter
from tap_amazon_sp.ratelimit import UsagePlans
from tap_amazon_sp.records import format_datetime, parse_datetime
from tap_amazon_sp.reports import ReportEngine
from tap_amazon_sp.settings import Settings
from tap_amazon_sp.spapi import Backoff, SPAPIClient

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

    @classmethod
    def build(cls, settings: Settings, logger: logging.Logger) -> Runtime:
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
            base_url=settings.sp_api_url, token=token, session=session, plans=UsagePlans(conservative=conservative),
            logger=logger, backoff=Backoff(base=settings.retry_base), timeout=settings.request_timeout,
        )
        engine = ReportEngine(
            client,
            logger=logger,
            max_wait=settings.max_report_wait,
            fatal_retries=settings.fatal_retries,
            fatal_cooldown=settings.fatal_cooldown,
        )
        scheduler = Scheduler(
            engine,
            # Conservative pacing: one report at a time, as well as no createReport bursts.
            limit=1 if settings.wait_between_requests else settings.max_reports_in_flight,
            reuse_max_age=timedelta(hours=settings.report_reuse_max_age_hours),
            marketplace_ids=settings.marketplace_ids,
            logger=logger,
        )
        return cls(settings, client, engine, scheduler)


class AmazonSPStream(Stream):
    """Behaviour shared by all SP-API streams: partitions per marketplace and exact bookmarks.

    Bookmarks move only when a whole window (or page) has been emitted, never per record, so a
    sync killed at any point resumes without a gap.
    """

    is_sorted = True
    # True when every record holds only schema properties with JSON-ready values (see output.py).
    records_are_typed = False
    _line_writer: RecordLineWriter | bool | None = None

    @property
    def runtime(self) -> Runtime:
        return self._tap.runtime  # type: ignore[attr-defined]

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    @override
    def partitions(self) -> list[dict[str, Any]] | None:
        return [{"marketplace_id": m} for m in self._tap.marketplace_ids]  # type: ignore[attr-defined]

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> datetime | Any | None:
        # Windows never reach past end_date (itself never past now): no signpost needed.
        return None

    @override
    def _increment_stream_state(self, latest_record: dict[str, Any], *, context: Context | None = None) -> None:
        # Deliberately empty: see `commit_bookmark`.
        return

    @override
    def generate_child_contexts(self, record: dict[str, Any], context: Context | None) -> Iterator[Context | None]:
        # Without child streams the SDK's default still builds and copies a context per record.
        if self.child_streams:
            yield from super().generate_child_contexts(record, context)

    @override
    def _write_record_message(self, record: dict[str, Any]) -> None:
        writer = self._fast_writer()
        if writer is None or not writer.write(record):
            super()._write_record_message(record)
            return
        self.state_manager.is_flushed = False

    def _fast_writer(self) -> RecordLineWriter | None:
        """The direct writer, when nothing between record and output needs the SDK's per-record work."""
        if self._line_writer is None:
            maps = self.stream_maps
            sink = self._tap.message_writer
            plain = (
                self.records_are_typed
                and len(maps) == 1
                and type(maps[0]) is SameRecordTransform
                and not maps[0].flattening_enabled
            )
            if plain and isinstance(sink, TapMessageWriter):
                deselected = [name for name in self.schema.get("properties", {}) if not self.mask[("properties", name)]]
                self._line_writer = RecordLineWriter(
                    self.name, sink=sink, version=self._stream_version, deselected=deselected
                )
            else:
                self._line_writer = False
        return self._line_writer if isinstance(self._line_writer, RecordLineWriter) else None

    def bookmark(self, context: Context | None) -> datetime | None:
        """Where the last completed window of this partition ended."""
        value = self.get_context_state(context).get("replication_key_value")
        return parse_datetime(str(value)) if value else None

    def commit_bookmark(self, context: Context | None, value: datetime, *, done: Slot | None = None) -> None:
        """Record that everything up to `value` has been emitted, and say so in a STATE message.

        The report of the window just emitted (`done`) leaves `pending_reports` in the same message.
        """
        state = self.get_context_state(context)
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = format_datetime(value)
        if done is not None:
            self._drop_pending(state, done.key)
        self.state_manager.is_flushed = False
        self._write_state_message()

    # The Ledger of inflight.Scheduler: reports requested and not yet read live in the partition
    # state beside the bookmark, {"pending_reports": {window: {report_id, options, created}}}.

    def recall(self, slot: Slot) -> dict[str, Any] | None:
        """The report an earlier sync requested for this slot's window, if it is remembered."""
        pending = self.get_context_state({"marketplace_id": slot.partition}).get("pending_reports") or {}
        found = pending.get(slot.key)
        return found if isinstance(found, dict) else None

    def remember(self, slot: Slot, report_id: str, created_at: datetime) -> None:
        """Note a report requested for this slot's window, in a STATE message right away."""
        state = self.get_context_state({"marketplace_id": slot.partition})
        pending = state.setdefault("pending_reports", {})
        pending[slot.key] = {
            "report_id": report_id,
            "options": options_key(slot.request),
            "created": format_datetime(created_at),
        }
        self.state_manager.is_flushed = False
        self._write_state_message()

    def forget(self, slot: Slot) -> None:
        """Drop this slot's report from state."""
        state = self.get_context_state({"marketplace_id": slot.partition})
        if self._drop_pending(state, slot.key):
            self.state_manager.is_flushed = False
            self._write_state_message()

    def prune_pending(self, partition: str, keep: set[str]) -> None:
        """Forget remembered reports of windows this sync does not have (the window size changed)."""
        state = self.get_context_state({"marketplace_id": partition})
        stale = [key for key in state.get("pending_reports") or {} if key not in keep]
        for key in stale:
            self._drop_pending(state, key)
        if stale:
            self.state_manager.is_flushed = False
            self._write_state_message()

    @staticmethod
    def _drop_pending(state: dict[str, Any], key: str) -> bool:
        pending = state.get("pending_reports")
        if not isinstance(pending, dict) or key not in pending:
            return False
        del pending[key]
        if not pending:
            del state["pending_reports"]
        return True
