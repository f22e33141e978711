"""The Data Kiosk engine: GraphQL queries in, JSON Lines documents out (SPAPI-NOTES Add. §7).

A query is created (createQuery), polled (getQuery) until DONE, FATAL or CANCELLED, and its document
read (getDocument gives a URL good for five minutes). What it shares with the report engine:
- the quotas of the operations table (createQuery and getDocument: a burst of 15, then one a minute),
  taken through the same client, so every stream of a sync draws on one bucket per operation;
- the polling: getQuery every POLL_FRACTION of a query's age, abandoned (cancelQuery) after the
  report engine's maximum wait;
- the document download: `reports.DocumentBytes` (a broken download read again, each byte once, the
  compression told by the bytes whatever `Content-Encoding` says);
- the in-flight rule: up to `max_reports_in_flight` later windows are requested ahead, only while
  the quota has a request free right now, so work done ahead never delays the window being read;
- the resume rule: a query is written to the partition's state (`pending_queries`) as soon as it is
  created, so a sync that stops before reading it has the next sync read it instead of asking again.

Paging is Amazon's: a DONE query with `pagination.nextToken` has more pages, each a new createQuery
with the same text and the token. A DONE query without `dataDocumentId` is a window without data.
A FATAL one's error document is read and said; its window stays unread (the bookmark stays before
it), to be asked again by a later sync, not at once: Amazon gives no reason to expect another answer.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from tap_amazon_sp.errors import APIError, AuthError, ReportError, TransientError
from tap_amazon_sp.records import format_datetime, parse_datetime
from tap_amazon_sp.reports import POLL_FIRST, POLL_FRACTION, POLL_MAX, DocumentBytes, ReportEngine
from tap_amazon_sp.spapi import SPAPIClient
from tap_amazon_sp.stopping import held_once_sent
from tap_amazon_sp.windows import last_day

# createQuery refuses (413) a query longer than this once needless whitespace is removed.
MAX_QUERY_CHARS = 8000
ENDED = ("DONE", "FATAL", "CANCELLED")
# The GraphQL punctuators around which whitespace is never needed.
_PUNCTUATION = re.compile(r"\s*([{}()\[\]:,!=@$])\s*")
_SPACES = re.compile(r"\s+")


def compact(text: str) -> str:
    """A query without needless whitespace, as Amazon counts its length (the tap's queries hold
    no string with spaces in it: dates and marketplace ids only)."""
    return _PUNCTUATION.sub(r"\1", _SPACES.sub(" ", text)).strip()


@dataclass(frozen=True)
class KioskQuery:
    """One query of one stream: a dataset's GraphQL text for one window [start, end) of one marketplace."""

    stream: str
    marketplace_id: str
    start: datetime
    end: datetime
    text: str

    def __post_init__(self) -> None:
        if len(self.text) > MAX_QUERY_CHARS:
            # A query the tap builds never gets here (tests hold every stream's to it): a bug, said plainly.
            raise ValueError(
                f"{self.describe()}: the query has {len(self.text)} characters, more than Data Kiosk's "
                f"{MAX_QUERY_CHARS}; it is not sent"
            )

    @property
    def key(self) -> str:
        """How the window is named in state: `start/end`, as report windows are."""
        return f"{format_datetime(self.start)}/{format_datetime(self.end)}"

    @property
    def fingerprint(self) -> str:
        """What tells a query in state from one of other fields or options (a new tap version)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    def describe(self) -> str:
        last = last_day(self.end).date()
        return f"{self.stream} {self.marketplace_id} {self.start.date()}..{last}"


class KioskLedger(Protocol):
    """Where a stream keeps the queries it created and has not read yet (its partition state)."""

    def recall_query(self, query: KioskQuery) -> dict[str, Any] | None: ...

    def remember_query(self, query: KioskQuery, query_id: str, page: int) -> None: ...

    def forget_query(self, query: KioskQuery) -> None: ...


class QueryFailed(ReportError):
    """A query Amazon ended FATAL or CANCELLED, or would not finish in time: its window stays unread."""


class RoleMissing(ReportError):
    """Amazon refused a query for the app's roles (403, or an error document saying so)."""


@dataclass
class Page:
    """One DONE page of a window: its document (None: no data) and where it came from."""

    query: KioskQuery
    query_id: str
    number: int
    document_id: str | None
    seconds: float
    last: bool  # the window's last page: its bookmark can be committed once this page is emitted


class KioskDocuments(ReportEngine):
    """The report engine's downloads, with Data Kiosk's URLs (getDocument)."""

    def new_document_url(self, document_id: str) -> str:
        return str(self.client.call("getDocument", path_params={"documentId": document_id})["documentUrl"])


@dataclass
class _Ticket:
    query_id: str
    created: float  # on the engine's clock
    page: int


class DataKioskEngine:
    """Creates, polls and reads the Data Kiosk queries of every stream of one tap."""

    def __init__(
        self,
        client: SPAPIClient,
        *,
        logger: logging.Logger,
        max_wait: float,
        ahead: int,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.logger = logger
        self.max_wait = max_wait
        self.ahead = max(0, ahead)
        self.sleep = sleep
        self.clock = clock
        self.documents = KioskDocuments(client, logger=logger, max_wait=max_wait, sleep=sleep, clock=clock)

    # --- one partition's windows, in order ------------------------------------------------------

    def pages(self, ledger: KioskLedger, queries: list[KioskQuery]) -> Iterator[Page]:
        """Every DONE page of every window, windows in order and each window's pages in order; a
        window without data is one Page without a document. The caller commits a window's bookmark
        once its last page (the next one is of another window, or none comes) is emitted."""
        tickets: dict[int, _Ticket] = {}
        for index, query in enumerate(queries):
            ticket = tickets.pop(index, None) or self._obtain(ledger, query, block=True)
            assert ticket is not None

            def fill(after: int = index) -> None:
                self._fill(ledger, queries, tickets, after)

            fill()
            while True:
                done = self._finish(ledger, query, ticket, idle=fill)
                token = (done.get("pagination") or {}).get("nextToken")
                document_id = done.get("dataDocumentId")
                seconds = self.clock() - ticket.created
                yield Page(query, ticket.query_id, ticket.page, document_id, seconds, last=not token)
                if not token:
                    break
                # The next page is a new query of the same text; in state before it is waited for.
                with held_once_sent():
                    query_id = self._create(query, token=token, wait=True)
                    assert query_id is not None
                    ticket = _Ticket(query_id, self.clock(), ticket.page + 1)
                    ledger.remember_query(query, query_id, ticket.page)

    def _fill(self, ledger: KioskLedger, queries: list[KioskQuery], tickets: dict[int, _Ticket], after: int) -> None:
        """Request the next windows' first pages ahead while the quota has room right now."""
        for index in range(after + 1, min(len(queries), after + 1 + self.ahead)):
            if index in tickets:
                continue
            ticket = self._obtain(ledger, queries[index], block=False)
            if ticket is None:
                return
            tickets[index] = ticket

    def _obtain(self, ledger: KioskLedger, query: KioskQuery, *, block: bool) -> _Ticket | None:
        """The query an earlier sync left for this window, or a new one (None: only waiting would give one)."""
        adopted = self._adopt(ledger, query)
        if adopted is not None:
            return adopted
        with held_once_sent():
            query_id = self._create(query, token=None, wait=block)
            if query_id is None:
                return None
            ledger.remember_query(query, query_id, 1)
        return _Ticket(query_id, self.clock(), 1)

    def _adopt(self, ledger: KioskLedger, query: KioskQuery) -> _Ticket | None:
        remembered = ledger.recall_query(query)
        if not remembered:
            return None
        query_id = str(remembered.get("query_id") or "")
        if not query_id or remembered.get("query") != query.fingerprint:
            ledger.forget_query(query)
            return None
        try:
            found = self.client.call("getQuery", path_params={"queryId": query_id})
        except (APIError, AuthError) as exc:
            # Gone (Amazon keeps queries 30 days) or unknown: asked afresh.
            self.logger.info("%s: query %s in state is not available (%s)", query.describe(), query_id, exc)
            ledger.forget_query(query)
            return None
        if str(found.get("query") or "") != query.text:
            self.logger.warning(
                "%s: query %s in state asks for something else than this window; asking anew",
                query.describe(),
                query_id,
            )
            ledger.forget_query(query)
            return None
        page = int(remembered.get("page") or 1)
        self.logger.info(
            "%s: reading query %s (page %d, %s) created by an earlier sync",
            query.describe(),
            query_id,
            page,
            found.get("processingStatus"),
        )
        created = _age(found.get("createdTime"))
        return _Ticket(query_id, self.clock() - created, page)

    def _create(self, query: KioskQuery, *, token: str | None, wait: bool) -> str | None:
        body: dict[str, Any] = {"query": query.text}
        if token:
            body["paginationToken"] = token
        try:
            answer = self.client.call_if_quota_free("createQuery", json=body, wait=wait)
        except AuthError as exc:
            raise RoleMissing(str(exc)) from None
        return None if answer is None else str(answer["queryId"])

    # --- one query --------------------------------------------------------------------------------

    def _finish(
        self, ledger: KioskLedger, query: KioskQuery, ticket: _Ticket, *, idle: Callable[[], None]
    ) -> dict[str, Any]:
        """getQuery until the query ends; DONE is returned, anything else raised (and forgotten)."""
        found = self._poll(query, ticket, idle)
        status = str(found.get("processingStatus"))
        if status == "DONE":
            return found
        ledger.forget_query(query)
        if status == "FATAL":
            said = self.documents.error_document(found.get("errorDocumentId"))
            what = f"{query.describe()}: query {ticket.query_id} ended FATAL; Amazon said: {said}"
            if "unauthorized" in said.lower():
                raise RoleMissing(what)
            raise QueryFailed(what)
        if status == "CANCELLED":
            raise QueryFailed(f"{query.describe()}: query {ticket.query_id} was cancelled before Amazon processed it")
        raise QueryFailed(f"{query.describe()}: query {ticket.query_id} {status}; Amazon may be slow")

    def _poll(self, query: KioskQuery, ticket: _Ticket, idle: Callable[[], None]) -> dict[str, Any]:
        started = self.clock()
        progress = self.client.progress
        while True:
            found = self.client.call("getQuery", path_params={"queryId": ticket.query_id})
            status = str(found.get("processingStatus"))
            if status in ENDED:
                progress.done_waiting(ticket.query_id)
                return found
            progress.waiting(query.describe(), ticket.query_id, status, self.clock() - ticket.created, what="query")
            if self.clock() - started >= self.max_wait:
                try:
                    self.client.call("cancelQuery", path_params={"queryId": ticket.query_id})
                    outcome = "cancelled it"
                except (APIError, TransientError) as exc:
                    outcome = f"Amazon did not cancel it ({exc})"
                return {"processingStatus": f"still {status} after {self.max_wait:.0f} s ({outcome})"}
            idle()
            now = self.clock()
            interval = min(POLL_MAX, max(POLL_FIRST, (now - ticket.created) * POLL_FRACTION))
            self.sleep(min(interval, max(0.0, self.max_wait - (now - started))))

    def document(self, page: Page) -> DocumentBytes:
        """A page's document, to be read once (see `reports.DocumentBytes`)."""
        assert page.document_id is not None
        describe = f"{page.query.describe()} query {page.query_id}"
        return self.documents.document(page.document_id, describe=describe)


def _age(created: Any) -> float:
    """Seconds since Amazon's createdTime of a query (0 when it cannot be read)."""
    try:
        return max(0.0, (datetime.now(timezone.utc) - parse_datetime(str(created))).total_seconds())
    except (ValueError, OverflowError):
        return 0.0
