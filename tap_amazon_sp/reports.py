"""The Reports API lifecycle: create, poll, retry FATAL, list, and fetch documents.

Which reports are in flight, and in which order results are handed to streams, is decided by
`inflight.Scheduler`; this module does one report at a time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from tap_amazon_sp.documents import CHUNK_SIZE, charset_from_content_type, unwrap
from tap_amazon_sp.errors import APIError, DocumentError, DownloadError, ReportError, TransientError, TruncatedDocument
from tap_amazon_sp.progress import where
from tap_amazon_sp.records import amazon_time, format_datetime, parse_datetime
from tap_amazon_sp.retry import Retries
from tap_amazon_sp.settings import is_loopback
from tap_amazon_sp.spapi import SPAPIClient, describe_url
from tap_amazon_sp.windows import OptionDates, last_second

# Polls of a report come every POLL_FRACTION of its age (0.5 s to 30 s apart): a report that takes
# 20 s is seen about 1 s after it is done, one that takes an hour costs ~150 getReport calls.
POLL_FIRST = 0.5
POLL_FRACTION = 0.05
POLL_MAX = 30.0
DOCUMENT_TRIES = 4
# Amazon's document URLs live five minutes: one younger than this is reused for a retry instead
# of spending a getReportDocument request (one a minute once its burst is used).
URL_REUSE_SECONDS = 120.0


@dataclass(frozen=True)
class ReportRequest:
    """What to ask Amazon for: one report type, marketplaces, an optional window, options."""

    report_type: str
    marketplace_ids: tuple[str, ...]
    start: datetime | None = None
    end: datetime | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    # Amazon reads the window as whole dates, the end date included (analytics reports): the
    # request names the last second of the window's last day, not the next day's midnight.
    end_inclusive: bool = False
    # The window goes in these reportOptions (coupons, promotions): Amazon reads no data times then.
    option_dates: OptionDates | None = None

    def describe(self) -> str:
        window = ""
        if self.start is not None and self.end is not None:
            window = f" {format_datetime(self.start)}..{format_datetime(self.end)}"
        return f"{self.report_type} [{','.join(self.marketplace_ids)}]{window}"

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"reportType": self.report_type, "marketplaceIds": list(self.marketplace_ids)}
        options = dict(self.options)
        if self.option_dates is not None and self.start is not None and self.end is not None:
            options.update({k: amazon_time(v) for k, v in self.option_dates.values(self.start, self.end).items()})
        else:
            if self.start is not None:
                body["dataStartTime"] = amazon_time(self.start)
            if self.end is not None:
                body["dataEndTime"] = amazon_time(last_second(self.end) if self.end_inclusive else self.end)
        if options:
            body["reportOptions"] = options
        return body


@dataclass
class ReportResult:
    """A report that finished: DONE with a document, or CANCELLED (no data for the window)."""

    request: ReportRequest
    report_id: str
    status: str
    document_id: str | None
    seconds: float
    attempts: int = 1
    created_at: datetime | None = None  # Amazon's createdTime of the report
    built: float | None = None  # seconds from Amazon's createdTime to its processingEndTime, when it says both


class ReportListings:
    """getReports: the reports of a type Amazon made on its own (settlements), or made recently
    enough to be read again instead of asked for (report reuse)."""

    client: SPAPIClient

    def list_done(
        self, report_type: str, marketplace_ids: tuple[str, ...], created_since: datetime
    ) -> list[dict[str, Any]]:
        """DONE reports of a type (settlements), oldest data first; pages with nextToken alone."""
        params: dict[str, Any] = {
            "reportTypes": [report_type],
            "processingStatuses": ["DONE"],
            "marketplaceIds": list(marketplace_ids[:10]),
            "pageSize": 100,
            "createdSince": amazon_time(created_since),
        }
        reports: list[dict[str, Any]] = []
        while True:
            body = self.client.call("getReports", params=params)
            reports.extend(body.get("reports") or [])
            token = body.get("nextToken")
            if not token:
                break
            params = {"nextToken": token}
        reports.sort(key=lambda r: (str(r.get("dataEndTime") or ""), str(r.get("createdTime") or "")))
        return reports

    def list_recent(
        self, report_type: str, marketplace_ids: tuple[str, ...], created_since: datetime, *, wait: bool = False
    ) -> list[dict[str, Any]] | None:
        """One page (the newest 100) of the reports of a type that are DONE or still being built;
        None when getReports has no quota free.

        getReports allows one call per 45 s after a burst of 10, so reuse costs one call per report
        type and sync, and never waits unless asked to.
        """
        params: dict[str, Any] = {
            "reportTypes": [report_type],
            "processingStatuses": ["DONE", "IN_QUEUE", "IN_PROGRESS"],
            "marketplaceIds": list(marketplace_ids[:10]),
            "pageSize": 100,
            "createdSince": amazon_time(created_since),
        }
        body = self.client.call_if_quota_free("getReports", params=params, wait=wait)
        if body is None:
            return None
        return list(body.get("reports") or [])


class ReportEngine(ReportListings):
    """Runs reports for every stream of one tap."""

    def __init__(
        self,
        client: SPAPIClient,
        *,
        logger: logging.Logger,
        max_wait: float = 3600,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.logger = logger
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        # A document's download is tried again on its own count, with the SP-API calls' backoff.
        self.downloads = Retries(tries=DOCUMENT_TRIES, backoff=client.backoff, logger=logger, sleep=sleep)
        # Document URLs being read: (url, when it was obtained). Their compressionAlgorithm is not kept:
        # a document's own bytes say whether it is gzip (`OpenDocument`).
        self._links: dict[str, tuple[str, float]] = {}

    # Creating and polling

    def create(self, request: ReportRequest, *, wait: bool = True) -> str | None:
        """createReport; with wait=False, None when the quota has no room right now."""
        body = self.client.call_if_quota_free("createReport", json=request.body(), wait=wait)
        if body is None:
            return None
        return str(body["reportId"])

    def poll(
        self,
        report_id: str,
        request: ReportRequest,
        *,
        created: float | None = None,
        idle: Callable[[], None] | None = None,
        abandon: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        """getReport until processing ends, up to the maximum wait.

        `created` (clock time) spaces the polls by the report's age; `idle` runs before each wait,
        so that work for later reports can go on meanwhile; `abandon` hears a report id just before
        it is cancelled for taking too long.
        """
        started = self.clock()
        created = started if created is None else created
        while True:
            report = self.client.call("getReport", path_params={"reportId": report_id})
            status = report.get("processingStatus")
            if status == "DONE" and not report.get("reportDocumentId"):
                # Read as a report without rows, the bookmark would pass a window nothing was read of.
                raise ReportError(
                    f"{request.describe()}: report {report_id} is DONE but Amazon named no document for it "
                    "(no reportDocumentId); nothing of this window was read. Run the sync again later."
                )
            if status in ("DONE", "CANCELLED", "FATAL"):
                self.client.progress.done_waiting(report_id)
                return report
            self.client.progress.waiting(where(None, request), report_id, str(status), self.clock() - created)
            if self.clock() - started >= self.max_wait:
                if abandon is not None:
                    abandon(report_id)
                outcome = self._cancel(report_id)
                raise ReportError(
                    f"{request.describe()}: report {report_id} still {status} after {self.max_wait:.0f} s; "
                    f"{outcome}. Amazon may be slow: run the sync again later."
                )
            if idle is not None:
                idle()
            now = self.clock()
            interval = min(POLL_MAX, max(POLL_FIRST, (now - created) * POLL_FRACTION))
            self.sleep(min(interval, max(0.0, self.max_wait - (now - started))))

    def _cancel(self, report_id: str) -> str:
        """Ask Amazon to cancel a report; say how that went."""
        # Only IN_QUEUE reports can be cancelled; one already in progress finishes on its own.
        try:
            self.client.call("cancelReport", path_params={"reportId": report_id})
        except (APIError, TransientError) as exc:
            return f"Amazon did not cancel it ({exc})"
        return "cancelled it on Amazon's side"

    def finish(
        self,
        request: ReportRequest,
        report_id: str,
        started: float,
        *,
        idle: Callable[[], None] | None = None,
        abandon: Callable[[str], None] | None = None,
    ) -> ReportResult:
        """Wait for a created report to end: DONE, CANCELLED or FATAL (what follows a FATAL is for
        the caller to decide, see `inflight.Scheduler`)."""
        report = self.poll(report_id, request, created=started, idle=idle, abandon=abandon)
        return ReportResult(
            request,
            report_id,
            str(report["processingStatus"]),
            report.get("reportDocumentId"),
            self.clock() - started,
            created_at=_created(report),
            built=_built(report),
        )

    def fatal_reason(self, result: ReportResult) -> str:
        """What Amazon's error document of a FATAL report says."""
        return self.error_document(result.document_id)

    def error_document(self, document_id: str | None) -> str:
        """An error document's text on one line (at most 2,000 characters), or why it cannot be read."""
        if not document_id:
            return "no error document"
        try:
            data = b"".join(self.document_chunks(str(document_id)))
        except DownloadError as exc:
            # Broken off, cut short or empty (0 bytes): the message says which.
            return f"error document unreadable: {exc}"
        except Exception as exc:  # noqa: BLE001 (the FATAL is reported whatever its error document does)
            return f"error document unreadable ({type(exc).__name__})"
        text = data.decode("utf-8", errors="replace").strip()
        return " ".join(text.split())[:2000] or "empty error document"

    # Documents

    def document_chunks(self, document_id: str) -> Iterator[bytes]:
        """The decompressed bytes of a document, streamed."""
        try:
            yield from self.open_document(document_id).chunks()
        finally:
            self.forget_link(document_id)

    def forget_link(self, document_id: str) -> None:
        """Drop the URL kept for a document: it has been read, or given up on."""
        self._links.pop(document_id, None)

    def document(self, document_id: str, *, describe: str) -> DocumentBytes:
        """Start downloading a document to be read: its bytes, each exactly once (`DocumentBytes`).

        `describe` names the report in what is said about the download."""
        try:
            first = self.open_document(document_id)
        except BaseException:
            self.forget_link(document_id)
            raise
        return DocumentBytes(self, first, describe)

    def open_document(self, document_id: str) -> OpenDocument:
        """Start downloading a document. The access token never goes to the document host."""
        last = ""
        renew = False
        for attempt in count(1):
            url = self._document_url(document_id, renew=renew)
            try:
                # A plain GET: pre-signed URLs carry their own credentials, and Amazon's token
                # must not leak to the storage host. The bytes are read as sent (see `OpenDocument`).
                response = self.client.session.get(
                    url, stream=True, timeout=self.client.timeout, headers={"Accept-Encoding": "identity"}
                )
            except requests.RequestException as exc:
                last = f"connection error ({type(exc).__name__})"
                renew = False
            else:
                status = response.status_code
                if status == 200:
                    return OpenDocument(document_id, response)
                response.close()
                last = f"HTTP {status}"
                if status == 403:
                    # Expired (URLs live five minutes) or refused: only a new URL can help.
                    last += " (the URL has expired or was refused)"
                    renew = True
                elif status >= 500 or status in (408, 429):
                    renew = False
                else:
                    break
            doing = f"document {document_id} at {describe_url(url)}: {last}; "
            doing += "asking for a new URL" if renew else "downloading again"
            # A new URL for an expired one is worth asking for at once; anything else gets a pause.
            if not self.downloads.again(attempt, doing, delay=0.0 if renew and attempt == 1 else None):
                break
        raise TransientError(f"document {document_id} could not be downloaded: {last}")

    def new_document_url(self, document_id: str) -> str:
        """A new pre-signed URL of a document, from Amazon (a report's: getReportDocument)."""
        return str(self.client.call("getReportDocument", path_params={"reportDocumentId": document_id})["url"])

    def _document_url(self, document_id: str, *, renew: bool) -> str:
        """A pre-signed URL for the document: a recent one again, or a new one from getReportDocument."""
        now = self.clock()
        link = self._links.get(document_id)
        if link is None or renew or now - link[1] >= URL_REUSE_SECONDS:
            url = self.new_document_url(document_id)
            parts = urlsplit(url)
            if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname or "")):
                raise DocumentError(
                    f"document {document_id}: Amazon gave a URL on {describe_url(url)}, which is not https; "
                    "refusing to download it"
                )
            link = (url, now)
            self._links[document_id] = link
        return link[0]


@dataclass
class OpenDocument:
    """A document whose download has started.

    Its compression is decided by its bytes (`documents.unwrap`), not by Amazon's
    `compressionAlgorithm` or by `Content-Encoding`, which Amazon has both got wrong; the HTTP client
    never decompresses anything itself.
    """

    document_id: str
    response: requests.Response

    @property
    def charset(self) -> str | None:
        """The codec the download's Content-Type names, if any."""
        return charset_from_content_type(self.response.headers.get("Content-Type"))

    def chunks(self) -> Iterator[bytes]:
        """The document's bytes, decompressed, chunk by chunk; the connection closes at the end."""
        # The raw stream: requests would undo a Content-Encoding on its own, and a document in gzip
        # inside a Content-Encoding: gzip must come out whole, not half undone (SPAPI-NOTES Add. §9).
        raw = self.response.raw.stream(CHUNK_SIZE, decode_content=False)
        try:
            yield from unwrap(raw)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise DownloadError(f"document {self.document_id}: the download broke off ({type(exc).__name__})") from None
        except TruncatedDocument as exc:
            raise DownloadError(f"document {self.document_id}: {exc}") from None
        finally:
            self.response.close()

    def close(self) -> None:
        """Drop the connection, whether or not the document was read to its end."""
        self.response.close()


class DocumentBytes:
    """A document's decompressed bytes, chunk by chunk, each byte exactly once even if the download
    breaks off: a broken or truncated download starts again from the beginning (a document never
    changes) and the bytes already handed out are skipped, so its reader sees one unbroken stream.

    `charset` is what the download's Content-Type names; `records` is for the reader to count the
    records it has made of the bytes, which the warning about a broken download names.
    """

    def __init__(self, engine: ReportEngine, first: OpenDocument, describe: str) -> None:
        self.describe = describe
        self.charset = first.charset
        self.records = 0
        self._engine = engine
        self._first: OpenDocument | None = first
        self._document_id = first.document_id

    def __iter__(self) -> Iterator[bytes]:
        engine, document_id = self._engine, self._document_id
        document, self._first = self._first, None
        handed_out = 0
        try:
            for attempt in count(1):
                if document is None:
                    document = engine.open_document(document_id)
                skip = handed_out
                try:
                    for chunk in document.chunks():
                        if skip:
                            if len(chunk) <= skip:
                                skip -= len(chunk)
                                continue
                            chunk = chunk[skip:]
                            skip = 0
                        handed_out += len(chunk)
                        yield chunk
                    if skip:
                        raise DownloadError(
                            f"document {document_id}: the download came back shorter than what was read of it before"
                        )
                    return
                except DownloadError as exc:
                    doing = f"{self.describe}: {exc} after {self.records} records; downloading it again"
                    if not engine.downloads.again(attempt, doing, then=" and skipping the records already emitted"):
                        raise DownloadError(f"{self.describe}: {exc}; gave up after {attempt} downloads") from None
                finally:
                    document.close()
                    document = None
        finally:
            engine.forget_link(document_id)


def _built(report: Mapping[str, Any]) -> float | None:
    """How long Amazon took to build the report, by its own times (not when the tap polled it)."""
    created = _created(report)
    try:
        ended = parse_datetime(str(report["processingEndTime"]))
    except (KeyError, ValueError, OverflowError):
        return None
    if created is None or ended < created:
        return None
    return (ended - created).total_seconds()


def _created(report: Mapping[str, Any]) -> datetime | None:
    try:
        return parse_datetime(str(report["createdTime"]))
    except (KeyError, ValueError, OverflowError):
        return None
