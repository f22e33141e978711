"""Report types that rest: after a report ends FATAL (or, for an FBA type, CANCELLED too soon after
another report of its window), no report of that type and those marketplaces is requested before its
cool-down has passed, and a slot tried too often gives up (`inflight.Scheduler` asks here)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from tap_amazon_sp.errors import ReportError
from tap_amazon_sp.progress import named
from tap_amazon_sp.reports import ReportRequest
from tap_amazon_sp.slots import Slot


class Rests:
    """When each report type and marketplaces may be requested again, and how often each slot was tried."""

    def __init__(
        self,
        cooldown: Callable[[str], tuple[float, str | None]],
        *,
        fatal_retries: int,
        logger: logging.Logger,
        now: Callable[[], datetime],
    ) -> None:
        # A report type's cool-down after a FATAL, in seconds, and its regeneration class (if any).
        self.cooldown = cooldown
        self.fatal_retries = fatal_retries
        self.logger = logger
        self.now = now
        # (report type, marketplaces) -> when Amazon may generate it again, and why it rests.
        self._cooling: dict[tuple[str, str], tuple[datetime, str]] = {}
        self._attempts: dict[tuple[str, str, str, str], int] = {}

    def until(self, slot: Slot) -> tuple[datetime, str] | None:
        """When the slot's report type and marketplaces may be requested again, if they rest now."""
        found = self._cooling.get(_cooling_key(slot.request))
        if found is None or found[0] <= self.now():
            return None
        return found

    def attempts(self, slot: Slot) -> int:
        """How many of the slot's reports Amazon would not build in this sync."""
        return self._attempts.get(slot.ident, 0)

    def rest(self, slot: Slot, report_id: str, what: str, reason: str, since: datetime | None) -> CoolingDown:
        """Rest the slot's report type and marketplaces after report `report_id` ended as `what`; the
        CoolingDown to raise (FatalReport is raised once the retries are used up)."""
        request = slot.request
        attempts = self._attempts[slot.ident] = self.attempts(slot) + 1
        where = named(request.describe(), request.report_type, slot.stream)
        if attempts > self.fatal_retries:
            raise FatalReport(f"{where}: report {report_id} {what} {attempts} times; giving up. Amazon said: {reason}")
        seconds, kind = self.cooldown(request.report_type)
        ready = (since or self.now()) + timedelta(seconds=seconds)
        limit = (
            f"Amazon generates a {kind} report at most once every {_duration(seconds)}"
            if kind
            else (f"resting it {_duration(seconds)} (fatal_retry_cooldown_seconds)")
        )
        cooling = _cooling_key(request)
        previous = self._cooling.get(cooling)
        if previous is None or previous[0] < ready:
            self._cooling[cooling] = (ready, limit)
        self.logger.warning(
            "%s: report %s %s (%s); %s, so it is requested again from %s UTC (retry %d of %d) while the other "
            "reports of the sync go on",
            where,
            report_id,
            what,
            reason,
            limit,
            _utc(ready),
            attempts,
            self.fatal_retries,
        )
        return CoolingDown(slot, *self._cooling[cooling])


class CoolingDown(Exception):
    """A slot's report type and marketplaces rest until `ready` after a FATAL (or a CANCELLED that
    came too soon): its partition stops at `slot` and is taken up again later in the sync."""

    def __init__(self, slot: Slot, ready: datetime, limit: str) -> None:
        super().__init__(f"{slot.request.describe()}: resting until {_utc(ready)} UTC ({limit})")
        self.slot = slot
        self.ready = ready
        self.limit = limit


class FatalReport(ReportError):
    """A report Amazon would not build, however often it was asked (FATAL after the retries)."""


def _cooling_key(request: ReportRequest) -> tuple[str, str]:
    return request.report_type, ",".join(sorted(request.marketplace_ids))


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:g} s"
