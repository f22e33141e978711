"""Slots: the reports a sync will ask for, named so that two requests for the same report, a report
in state and a report Amazon lists can be told apart or matched (`inflight`, `report_reuse`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tap_amazon_sp.records import format_datetime
from tap_amazon_sp.reports import ReportRequest

SNAPSHOT = "snapshot"
# The part of a planned slot that stands for reports not known yet (their ASINs come from reports
# being read): the scheduler requests nothing queued after it until the stream gives them, so reports
# are still created in one order whatever the timing.
PARTS_TO_COME = "parts-to-come"


def window_key(request: ReportRequest) -> str:
    """How a report's window is named in state: `start/end` in UTC ISO form, or `snapshot` (a slot of
    one part of a window adds `#part`, see `Slot.key`)."""
    if request.start is None or request.end is None:
        return SNAPSHOT
    return f"{format_datetime(request.start)}/{format_datetime(request.end)}"


def request_key(request: ReportRequest) -> tuple[str, ...]:
    """What makes two requests ask Amazon for the same report."""
    return (request.report_type, ",".join(sorted(request.marketplace_ids)), window_key(request), options_key(request))


def options_key(request: ReportRequest) -> str:
    """The report options as a stable string, so a changed option never reuses an old report."""
    return json.dumps(dict(request.options), sort_keys=True, separators=(",", ":"))


def window_text(request: ReportRequest) -> str:
    """A request's window as the log names it: `start..end`, or `snapshot`."""
    if request.start is None or request.end is None:
        return "snapshot"
    return f"{format_datetime(request.start)}..{format_datetime(request.end)}"


@dataclass(frozen=True)
class Slot:
    """One report a stream partition will ask for."""

    stream: str
    partition: str  # the marketplace id
    request: ReportRequest
    listable: bool = False  # may be served by a report found with getReports (no options can filter it)
    # One of several reports of the same window (a part of its ASINs): named in the key after `#`.
    part: str = ""

    @property
    def key(self) -> str:
        key = window_key(self.request)
        return f"{key}#{self.part}" if self.part else key

    @property
    def to_come(self) -> bool:
        """Whether the slot stands for reports its stream does not know yet (`PARTS_TO_COME`)."""
        return self.part == PARTS_TO_COME

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return (self.stream, self.partition, self.key, options_key(self.request))

    @property
    def asks(self) -> tuple[str, ...]:
        """What it asks Amazon for: two slots asking the same share one report (report_reuse)."""
        return request_key(self.request)


@dataclass
class Ticket:
    """A report that will serve a slot."""

    report_id: str
    created: float  # on the scheduler's clock, as best known
    source: str  # "created", "pending" (from state), "shared" (this sync's) or "listed" (found with getReports)


class Ledger(Protocol):
    """Where a stream keeps the reports it requested but has not read yet (its state)."""

    def recall(self, slot: Slot) -> dict[str, Any] | None:
        """The remembered report of this slot's window, if any."""

    def remember(self, slot: Slot, report_id: str, created_at: datetime) -> None:
        """Remember a report for this slot's window, and say so in a STATE message."""

    def forget(self, slot: Slot) -> None:
        """Drop this slot's report from state (it was read, or can no longer be used)."""
