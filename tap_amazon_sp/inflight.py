"""Reports in flight: which reports are requested ahead, which are reused, and in which order
results reach the streams.

The SDK syncs streams one after another, each partition window by window. Amazon, meanwhile, can
build many reports at once, and createReport allows a burst of 15 before it slows to one a minute.
So the `Scheduler` is given the whole sync's reports up front, in the order the streams will ask for
them (every window of every partition of every selected stream), and keeps up to
`max_reports_in_flight` of them requested ahead, creating one only when the quota has a token free
right now: work done ahead never delays the report a stream is waiting for. Each stream still
receives its own results strictly in window order, so records and STATE stay in order and
bookmarks stay exact.

Before requesting a report the scheduler looks for one that serves already (`report_reuse`): one
this stream requested in an earlier sync, one another stream of this sync requested, or one Amazon
lists.

A report that ends FATAL (or, for an FBA type, CANCELLED too soon after another report of its window)
makes its report type and marketplaces rest for their cool-down: no report of them is requested
before it has passed, the slot's partition stops with `CoolingDown`, and the stream takes it up
again at the end of the sync (`client.Runtime.take_up_deferred`) while the other reports go on.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Iterable
from datetime import datetime, timedelta, timezone

from tap_amazon_sp.cooldowns import CoolingDown, FatalReport, Rests
from tap_amazon_sp.errors import ReportError
from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.progress import acting_for, where
from tap_amazon_sp.quota import InFlightLimit, say_plan
from tap_amazon_sp.records import format_datetime
from tap_amazon_sp.report_reuse import ReportReuse
from tap_amazon_sp.reports import ReportEngine, ReportResult
from tap_amazon_sp.slots import SNAPSHOT, Ledger, Slot, Ticket, options_key, request_key, window_key, window_text
from tap_amazon_sp.stopping import held_once_sent

# The scheduler's vocabulary (slots.py) is imported from here by the streams and the runtime.
__all__ = [
    "SNAPSHOT",
    "CoolingDown",
    "FatalReport",
    "Ledger",
    "Scheduler",
    "Slot",
    "Ticket",
    "options_key",
    "request_key",
    "window_key",
    "window_text",
]


class Scheduler:
    """Keeps the reports of one sync in flight, bounded by `limit`, and hands them out in order."""

    def __init__(
        self,
        engine: ReportEngine,
        *,
        limit: int | None,
        reuse_max_age: timedelta,
        marketplace_ids: tuple[str, ...],
        logger: logging.Logger,
        fatal_retries: int = 2,
        cooldown: Callable[[str], tuple[float, str | None]] = lambda _type: (60.0, None),
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.engine = engine
        self.rests = Rests(cooldown, fatal_retries=fatal_retries, logger=logger, now=now)
        create = OPERATIONS["createReport"]
        self._create = engine.client.plans.bucket(create.name, create.rate, create.burst)
        self.limits = InFlightLimit(limit, lambda: self._create.rate)
        self.logger = logger
        self.now = now
        self.reuse = ReportReuse(
            engine,
            reuse_max_age=reuse_max_age,
            marketplace_ids=marketplace_ids,
            logger=logger,
            cooldown=cooldown,
            now=now,
        )
        self.planned = False
        self._queue: deque[Slot] = deque()
        self._owners: dict[str, Ledger] = {}
        self._tickets: dict[tuple[str, str, str, str], Ticket] = {}
        self._consuming = 0
        self._closed: set[tuple[str, str]] = set()
        engine.client.progress.in_flight = lambda: self.in_flight

    # Planning

    def plan(self, slots: Iterable[tuple[Ledger, Slot]], *, newest: int = 0) -> None:
        """Learn every report of the sync, in the order streams will ask for them (the first `newest`
        are the newest windows of streams read newest first)."""
        self.planned = True
        for owner, slot in slots:
            self._owners[slot.stream] = owner
            self._queue.append(slot)
        say_plan(self._queue, self.now(), self.logger, newest=newest)
        self.engine.client.progress.planned(len(self._queue), self._quota_left)

    def _quota_left(self) -> float:
        """Seconds of createReport quota the reports not yet requested need, at the rate Amazon applies."""
        return self._create.seconds_for(len({slot.asks for slot in self._queue}))

    @property
    def limit(self) -> int:
        """How many reports may be in flight now (`InFlightLimit`)."""
        return self.limits.value

    @property
    def in_flight(self) -> int:
        """Reports requested (or adopted) and not yet read."""
        return len(self._tickets) + self._consuming

    # Consuming

    def results(
        self, owner: Ledger, slots: list[Slot], *, ahead: bool = False, more: bool = False
    ) -> Generator[ReportResult, None, None]:
        """The results of one stream partition's `slots`, strictly in their order.

        The caller forgets a slot's pending report once it has emitted the result (with the
        bookmark, in the same STATE); this generator only tracks what is in flight. With `ahead`,
        slots the plan did not have (their ASINs came from another report) are requested ahead too.
        With `more`, a later pass of the sync reads more of the partition: having read these, it
        keeps its later reports queued and in flight.
        """
        for slot in slots:
            self._owners[slot.stream] = owner
        # A partition taken up again after a cool-down (see CoolingDown) is open again.
        self._closed -= {(s.stream, s.partition) for s in slots}
        if ahead:
            # They take the place of what stood for them, first in the queue: this partition waits
            # for them before any later stream's reports.
            partitions = {(s.stream, s.partition) for s in slots}
            self._queue = deque(s for s in self._queue if not (s.to_come and (s.stream, s.partition) in partitions))
            new = [s for s in slots if s.ident not in self._tickets and s not in self._queue]
            self._queue.extendleft(reversed(new))
        read = False
        try:
            for slot in slots:
                self._hold(slot)
                ticket = self._tickets.pop(slot.ident, None)
                self._consuming = 1
                if ticket is None:
                    self._drop_queued(slot)
                    ticket = self._obtain(slot, block=True)
                    assert ticket is not None
                self._fill()
                result = self._finish(owner, slot, ticket)
                yield result
                self._consuming = 0
                self._fill()
            read = True
        finally:
            self._consuming = 0
            if not (read and more):
                self._close(slots)

    def cooling_until(self, slot: Slot) -> tuple[datetime, str] | None:
        """When the slot's report type and marketplaces may be requested again, if they rest now."""
        return self.rests.until(slot)

    def _hold(self, slot: Slot) -> None:
        cooling = self.cooling_until(slot)
        if cooling is not None:
            raise CoolingDown(slot, *cooling)

    def _finish(self, owner: Ledger, slot: Slot, ticket: Ticket) -> ReportResult:
        def abandon(_report_id: str) -> None:
            owner.forget(slot)

        try:
            with acting_for(slot.stream):
                result = self.engine.finish(
                    slot.request, ticket.report_id, ticket.created, idle=self._fill, abandon=abandon
                )
        except ReportError:
            # A report that failed for good must not be adopted by the next sync.
            owner.forget(slot)
            raise
        self.engine.client.progress.ended(slot.stream, result.status)
        grown = self.limits.observe(result.built)
        if grown:
            self.logger.info("%s", grown)
        if result.status == "FATAL":
            self._rest(owner, slot, result, "ended FATAL", self.engine.fatal_reason(result))
        elif result.status == "CANCELLED":
            earlier = self.reuse.generated_before(slot, result)
            if earlier is not None:
                self._rest(
                    owner,
                    slot,
                    result,
                    "ended CANCELLED",
                    f"Amazon generated report {earlier[0]} of this "
                    f"window {format_datetime(earlier[1])}: too soon to generate another",
                    since=earlier[1],
                )
        result.attempts = self.rests.attempts(slot) + 1
        return result

    def _rest(
        self, owner: Ledger, slot: Slot, result: ReportResult, what: str, reason: str, since: datetime | None = None
    ) -> None:
        """A report Amazon would not build: rest its type and marketplaces, then raise CoolingDown
        (or FatalReport once the retries are used up)."""
        owner.forget(slot)
        self.reuse.unmade(slot.request, result.report_id)
        raise self.rests.rest(slot, result.report_id, what, reason, since)

    def _close(self, slots: list[Slot]) -> None:
        # A partition that stopped early (an error, the SDK's record limit) no longer holds its
        # reports in flight for this sync; its state still names them for the next one.
        for partition in {(s.stream, s.partition) for s in slots}:
            self._closed.add(partition)
        for ident in [i for i in self._tickets if (i[0], i[1]) in self._closed]:
            del self._tickets[ident]
        self._queue = deque(s for s in self._queue if (s.stream, s.partition) not in self._closed)

    def _drop_queued(self, slot: Slot) -> None:
        if slot in self._queue:
            self._queue.remove(slot)

    # Requesting ahead

    def request_ahead(self) -> None:
        """Request what the limit and the quota allow now, for a stream that reads no planned report
        (settlements): while it reads, the quota goes on building the reports the next streams read."""
        self._fill()

    def _fill(self) -> None:
        """Request (or adopt) reports ahead while the limit and the quota allow, never waiting; none
        of a report type and marketplaces that rest after a FATAL."""
        for slot in list(self._queue):
            if self.in_flight >= self.limit or slot.to_come:
                # What is queued after reports not known yet waits for them (creation in plan order).
                return
            if slot.ident in self._tickets or (slot.stream, slot.partition) in self._closed:
                self._queue.remove(slot)
                continue
            if self.cooling_until(slot) is not None:
                continue
            ticket = self._obtain(slot, block=False)
            if ticket is None:
                return
            self._queue.remove(slot)
            self._tickets[slot.ident] = ticket

    def _obtain(self, slot: Slot, *, block: bool) -> Ticket | None:
        """A report for `slot`: remembered, listed or newly created; None if only waiting would give one."""
        with acting_for(slot.stream):
            ticket = self._obtain_for(slot, block=block)
        progress = self.engine.client.progress
        if ticket is not None and ticket.source == "created":
            # The report being waited for (block) is already counted in flight; one requested ahead is not yet.
            in_flight = self.in_flight + (0 if block else 1)
            progress.requested(slot.stream, where(slot.stream, slot.request), ticket.report_id, in_flight)
        elif ticket is not None:
            progress.reused(slot.stream, ticket.source)
        return ticket

    def _obtain_for(self, slot: Slot, *, block: bool) -> Ticket | None:
        owner = self._owners[slot.stream]
        ticket = self.reuse.find(owner, slot)
        if ticket is None:
            with held_once_sent():
                report_id = self.engine.create(slot.request, wait=block)
                if report_id is None:
                    return None
                owner.remember(slot, report_id, self.now())
            ticket = Ticket(report_id, self.engine.clock(), "created")
        self.reuse.made(slot, ticket)
        return ticket
