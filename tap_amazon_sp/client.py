"""The base stream of every SP-API stream, and the runtime they share (settings, token, quotas)."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from singer_sdk import Stream

from tap_amazon_sp.auth import LWAToken
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
            ahead=0 if settings.wait_between_requests else 3,
        )
        return cls(settings, client, engine)


class AmazonSPStream(Stream):
    """Behaviour shared by all SP-API streams: partitions per marketplace and exact bookmarks.

    Bookmarks move only when a whole window (or page) has been emitted, never per record, so a
    sync killed at any point resumes without a gap.
    """

    is_sorted = True

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

    def bookmark(self, context: Context | None) -> datetime | None:
        """Where the last completed window of this partition ended."""
        value = self.get_context_state(context).get("replication_key_value")
        return parse_datetime(str(value)) if value else None

    def commit_bookmark(self, context: Context | None, value: datetime) -> None:
        """Record that everything up to `value` has been emitted, and say so in a STATE message."""
        state = self.get_context_state(context)
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = format_datetime(value)
        self.state_manager.is_flushed = False
        self._write_state_message()
