"""The Reports API 2021-06-30 behind the simulator: report lifecycle, listing, documents.

Status is a function of the time elapsed since creation (IN_QUEUE for the first third of the
report's processing delay, IN_PROGRESS until the delay has passed), so a test controls pacing with
one number and no background thread is needed. The final outcome is decided the first time anyone
looks after the delay: DONE with a document from the Dataset, CANCELLED when the Dataset has no
data for the window, or FATAL when the ``fatal`` fault picked this report at creation.
"""

from __future__ import annotations

import base64
import gzip
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .data import LIST_ONLY, REPORT_TYPES, Dataset, Document
from .faults import Faults
from .mutations import mutate
from .rendering import flat_content_type, marketplace
from .report_families.promotions import OPTION_DATES
from .report_families.promotions import refusal as dates_refusal
from .reports_data import REMOVED_TYPES, SETTLEMENT, SETTLEMENT_V2
from .validation import parse_datetime
from .vendor_data import VENDOR_JSON_REPORTS, refusal

__all__ = [
    "MARKETPLACE_REGIONS",
    "ApiError",
    "DocumentReply",
    "ReportStore",
    "format_time",
]

# Which region serves each marketplace; the region shows up in document ids.
MARKETPLACE_REGIONS: dict[str, str] = {
    **dict.fromkeys(("A2EUQ1WTGCTBG2", "ATVPDKIKX0DER", "A1AM78C64UM0Y8", "A2Q3Y263D00KWC"), "na"),
    **dict.fromkeys(
        (
            "A28R8C7NBKEWEA",
            "A1RKKUPIHCS9HS",
            "A1F83G8C2ARO7P",
            "A13V1IB3VIYZZH",
            "AMEN7PMS3EDWL",
            "A1805IZSGTT6HS",
            "A1PA6795UKMFR9",
            "APJ6JRA9NG5V4",
            "A2NODRKZP88ZB9",
            "AE08WJ6YKNBMC",
            "A1C3SOZRARQ6R3",
            "ARBP9OOSHTCHU",
            "A33AVAJ2PDY3EV",
            "A17E79C6D8DWNP",
            "A2VIGQ35RCS4UG",
            "A21TJRUUN4KGV",
        ),
        "eu",
    ),
    **dict.fromkeys(("A19VAU5U5O7RUS", "A39IBJ37TRP1C6", "A1VC38T7YXB528"), "fe"),
}

RETENTION = timedelta(days=90)
_FIRST_REPORT_ID = 50_000_000_001
_FATAL_DETAILS = (
    "The report could not be generated because an unexpected error occurred while the data "
    "was being compiled. Request the report again later."
)


class ApiError(Exception):
    """An SP-API error answer; ``violation`` marks errors the tap must never provoke."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: str = "",
        *,
        violation: bool = False,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.violation = violation

    def body(self) -> dict[str, Any]:
        """The JSON error body Amazon sends."""
        return {"errors": [{"code": self.code, "message": self.message, "details": self.details}]}


def _invalid(message: str, *, violation: bool = False) -> ApiError:
    return ApiError(400, "InvalidInput", message, violation=violation)


def _wrong_account(account: str, report_type: str) -> str | None:
    """Why a report type is not for this account type (vendor reports for sellers, seller reports
    for vendors; Brand Analytics serves both), or None."""
    vendor_only = report_type in VENDOR_JSON_REPORTS and report_type.startswith("GET_VENDOR_")
    if account == "Seller" and vendor_only:
        return f"{report_type} is available to vendors only."
    if account == "Vendor" and report_type not in VENDOR_JSON_REPORTS:
        return f"{report_type} is available to sellers only."
    return None


def _forecast_day(value: str) -> date | None:
    """The `forecast_generated` switch: a day, or "" for the Sunday before the report's creation."""
    return date.fromisoformat(value) if value else None


def _not_found(what: str) -> ApiError:
    return ApiError(404, "NotFound", "The specified resource does not exist.", what)


def format_time(moment: float | datetime) -> str:
    """ISO 8601 in UTC with a Z; milliseconds only when the instant has any."""
    if isinstance(moment, datetime):
        value = moment.astimezone(timezone.utc)
    else:
        value = datetime.fromtimestamp(moment, timezone.utc)
    millis = value.microsecond // 1000
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"not an ISO 8601 date-time: {value!r}")
        value = parsed
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _document_id(marketplace_id: str) -> str:
    region = MARKETPLACE_REGIONS.get(marketplace_id, "na")
    return f"amzn1.spdoc.1.4.{region}.{uuid.uuid4()}"


@dataclass
class _StoredDocument:
    load: Callable[[], Document]
    report_type: str
    document: Document | None = None
    gzipped: bytes | None = None
    # A ready gzip file on disk (benchmarks): read at each download, never kept in memory.
    path: Path | None = None

    def materialise(self) -> tuple[Document, bytes]:
        if self.path is not None:
            return self.load(), self.path.read_bytes()
        if self.document is None or self.gzipped is None:
            self.document = self.load()
            # mtime=0 keeps the bytes reproducible for a given seed.
            self.gzipped = gzip.compress(self.document.body, mtime=0)
        return self.document, self.gzipped


@dataclass
class _Report:
    report_id: str
    report_type: str
    marketplace_ids: list[str]
    data_start: datetime
    data_end: datetime
    options: dict[str, str]
    created: float
    delay: float
    fatal: bool = False
    fatal_document: bool = True
    fatal_details: str = _FATAL_DETAILS
    outcome: str | None = None
    finished: float | None = None
    document_id: str | None = None
    cancelled: bool = False
    stuck: str | None = None  # the status a stuck report keeps forever
    too_soon: bool = False  # ends CANCELLED whatever its data (the cancel fault)


@dataclass(frozen=True)
class _Grant:
    document_id: str
    expires: float
    ttl: float
    gzip_header: bool


@dataclass(frozen=True)
class DocumentReply:
    """What the document host answers: status, headers and the full body."""

    status: int
    headers: dict[str, str]
    body: bytes
    cut_at: int | None = None  # send only this many bytes of the body, then close
    stall: float = 0.0  # after cut_at bytes, wait this long before closing


@dataclass
class _Page:
    report_ids: list[str]
    offset: int
    page_size: int
    issued: float = field(default_factory=time.time)


def _s3_error(code: str, message: str, **extra: str) -> bytes:
    parts = "".join(f"<{k}>{v}</{k}>" for k, v in extra.items())
    host_id = base64.b64encode(secrets.token_bytes(48)).decode()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>{parts}"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId><HostId>{host_id}</HostId></Error>"
    ).encode()


class ReportStore:
    """All reports and documents of the simulated seller, guarded by one lock."""

    def __init__(
        self,
        dataset: Dataset,
        faults: Faults,
        clock: Callable[[], float] = time.time,
        document_files: Mapping[str, Path] | None = None,
        violation: Callable[[str], None] = lambda _reason: None,
    ) -> None:
        self._dataset = dataset
        # Records a request Amazon would accept but a correct tap never makes (see `create`).
        self._violation = violation
        # Report type -> a gzip file that every DONE report of that type serves, whatever its
        # window (benchmarks of large documents, which would take minutes to generate per report).
        self._document_files = dict(document_files or {})
        self._faults = faults
        self._clock = clock
        self._lock = threading.RLock()
        self._reports: dict[str, _Report] = {}
        self._documents: dict[str, _StoredDocument] = {}
        self._grants: dict[str, _Grant] = {}
        self._pages: dict[str, _Page] = {}
        self._next_id = _FIRST_REPORT_ID

    # ---- seeding -------------------------------------------------------------------------

    def seed_settlements(self, marketplace_ids: list[str]) -> None:
        """Add the Amazon-generated settlement reports of every marketplace, all DONE: the old type
        per marketplace, V2 per currency of a region (on its home marketplace)."""
        now = datetime.fromtimestamp(self._clock(), timezone.utc)
        with self._lock:
            for report_type in (SETTLEMENT, SETTLEMENT_V2):
                for marketplace_id in marketplace_ids:
                    for item in self._dataset.settlement_reports(marketplace_id, now, report_type):
                        self._seed_settlement(report_type, item)

    def _seed_settlement(self, report_type: str, item: Any) -> None:
        report_id = str(item.report_id)
        created = _as_utc(item.created_time).timestamp()
        document_id = _document_id(item.marketplace_id)
        self._reports[report_id] = _Report(
            report_id=report_id,
            report_type=report_type,
            marketplace_ids=[item.marketplace_id],
            data_start=_as_utc(item.data_start_time),
            data_end=_as_utc(item.data_end_time),
            options={},
            created=created,
            delay=0.0,
            outcome="DONE",
            finished=created,
            document_id=document_id,
        )
        self._documents[document_id] = _StoredDocument(self._settlement_loader(item.report_id), report_type)
        if report_id.isdigit():
            self._next_id = max(self._next_id, int(report_id) + 1)

    def _settlement_loader(self, report_id: Any) -> Callable[[], Document]:
        return lambda: self._dataset.settlement_document(report_id)

    # ---- operations ----------------------------------------------------------------------

    def create(self, spec: Mapping[str, Any]) -> str:
        """createReport on an already schema-checked body; returns the new report id."""
        report_type = spec["reportType"]
        if report_type in LIST_ONLY:
            raise _invalid(
                f"Report type {report_type} cannot be requested: Amazon generates these reports "
                "on its own schedule. Find them with getReports."
            )
        if report_type in REMOVED_TYPES:
            # The wording Amazon uses for a report type it no longer allows (GH:
            # amzn/selling-partner-api-models#1948); the removal date is from its changelog.
            raise _invalid(
                f"Request for report type {report_type} is not allowed at this time "
                f"(removed on {REMOVED_TYPES[report_type]}).",
                violation=True,
            )
        if report_type not in REPORT_TYPES and report_type not in VENDOR_JSON_REPORTS:
            raise _invalid(f"Invalid report type: {report_type}")
        marketplace_ids: list[str] = list(spec["marketplaceIds"])
        if not 1 <= len(marketplace_ids) <= 25:
            raise _invalid("marketplaceIds must have between 1 and 25 items.", violation=True)
        unknown = [m for m in marketplace_ids if m not in MARKETPLACE_REGIONS]
        if unknown:
            raise _invalid(f"Invalid marketplaceIds: {', '.join(unknown)}")
        options = spec.get("reportOptions") or {}
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in options.items()):
            raise _invalid("reportOptions values must all be strings.", violation=True)

        now = self._clock()
        now_dt = datetime.fromtimestamp(now, timezone.utc)
        start = _as_utc(spec["dataStartTime"]) if "dataStartTime" in spec else now_dt
        end = _as_utc(spec["dataEndTime"]) if "dataEndTime" in spec else now_dt
        if start > now_dt or end > now_dt:
            raise _invalid("dataStartTime and dataEndTime must not be in the future.")
        if start > end:
            raise _invalid("dataStartTime must be before or equal to dataEndTime.")

        fatal = self._faults.take("fatal", report_type)
        too_soon = not fatal and self._faults.take("cancel", report_type)
        refused = (
            refusal(report_type, dict(options), marketplace_ids, start, end, now_dt)
            if report_type in VENDOR_JSON_REPORTS
            else None
        )
        if report_type in OPTION_DATES:
            refused = dates_refusal(report_type, dict(options), now_dt)
        refused = refused or _wrong_account(str(self._faults.get("account_type")), report_type)
        if refused is not None:
            # Amazon accepts the request and ends the report FATAL (seen for missing options; assumed
            # for a report type of the other account type); the tap checks these first.
            self._violation(f"createReport {report_type}: {refused}")
            fatal = True
        delay = self._faults.pop("processing_delays")
        if delay is None:
            delay = self._faults.get("processing_delay")
        stuck = str(self._faults.get("stuck_status")) if self._faults.take("stuck", report_type) else None
        with self._lock:
            report_id = str(self._next_id)
            self._next_id += 1
            self._reports[report_id] = _Report(
                report_id=report_id,
                report_type=report_type,
                marketplace_ids=marketplace_ids,
                data_start=start,
                data_end=end,
                options=dict(options),
                created=now,
                delay=float(delay),
                fatal=fatal,
                fatal_document=refused is not None or bool(self._faults.get("fatal_error_document")),
                fatal_details=refused or _FATAL_DETAILS,
                stuck=stuck,
                too_soon=too_soon,
            )
        return report_id

    def plant(
        self,
        report_type: str,
        marketplace_ids: list[str],
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        options: Mapping[str, str] | None = None,
        *,
        delay: float = 0.0,
        age: float = 0.0,
    ) -> str:
        """A report someone else asked for (another app of the seller, a schedule), created `age`
        seconds ago and taking `delay` seconds: getReports lists it, getReport and its document
        serve it like any other. No fault switch and no check applies to it."""
        now = self._clock()
        created = now - age
        moment = datetime.fromtimestamp(created, timezone.utc)
        with self._lock:
            report_id = str(self._next_id)
            self._next_id += 1
            self._reports[report_id] = _Report(
                report_id=report_id,
                report_type=report_type,
                marketplace_ids=list(marketplace_ids),
                data_start=_as_utc(start) if start is not None else moment,
                data_end=_as_utc(end) if end is not None else moment,
                options=dict(options or {}),
                created=created,
                delay=float(delay),
            )
        return report_id

    def get(self, report_id: str) -> dict[str, Any]:
        """getReport: the Report object."""
        with self._lock:
            report = self._reports.get(report_id)
            if report is None:
                raise _not_found(f"Report {report_id} not found.")
            return self._render(report, self._clock())

    def cancel(self, report_id: str) -> None:
        """cancelReport: only a report still IN_QUEUE can be cancelled."""
        with self._lock:
            report = self._reports.get(report_id)
            if report is None:
                raise _not_found(f"Report {report_id} not found.")
            now = self._clock()
            status = self._status(report, now)
            if status != "IN_QUEUE":
                raise _invalid(f"Report {report_id} cannot be cancelled: its processingStatus is {status}.")
            report.cancelled = True
            report.outcome = "CANCELLED"
            report.finished = now

    def list_reports(self, query: Mapping[str, list[str]]) -> dict[str, Any]:
        """getReports on an already checked query string."""
        now = self._clock()
        with self._lock:
            if "nextToken" in query:
                token = query["nextToken"][0]
                page = self._pages.pop(token, None)
                if page is None:
                    raise _invalid("The nextToken is invalid or has expired.")
            else:
                page = _Page(self._select(query, now), 0, int(query.get("pageSize", ["10"])[0]))
            chunk = page.report_ids[page.offset : page.offset + page.page_size]
            result: dict[str, Any] = {"reports": [self._render(self._reports[rid], now) for rid in chunk]}
            rest = page.offset + page.page_size
            if rest < len(page.report_ids):
                # Standard base64 on purpose: '+', '/' and '=' test the client's URL encoding.
                token = base64.b64encode(secrets.token_bytes(45)).decode()
                self._pages[token] = _Page(page.report_ids, rest, page.page_size)
                result["nextToken"] = token
            return result

    def document_info(self, document_id: str, base_url: str, gzip_header: bool) -> dict[str, Any]:
        """getReportDocument: a pre-signed URL that expires after document_url_ttl seconds."""
        with self._lock:
            if document_id not in self._documents:
                raise _not_found(f"Report document {document_id} not found.")
            now = self._clock()
            ttl = float(self._faults.get("document_url_ttl"))
            signature = secrets.token_hex(32)
            expires = now + ttl
            if self._faults.take("expired_document_url", self._documents[document_id].report_type):
                expires = now  # as if the URL had sat unused past its lifetime
            self._grants[signature] = _Grant(document_id, expires, ttl, gzip_header)
        if self._faults.get("insecure_document_url"):
            base_url = "http://documents.example.invalid"
        stamp = datetime.fromtimestamp(now, timezone.utc)
        credential = quote(f"ASIASIMULATOR/{stamp:%Y%m%d}/us-east-1/s3/aws4_request", safe="")
        url = (
            f"{base_url}/_documents/{quote(document_id, safe='')}"
            f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}"
            f"&X-Amz-Date={stamp:%Y%m%dT%H%M%SZ}&X-Amz-Expires={int(ttl)}"
            f"&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
        )
        info = {"reportDocumentId": document_id, "url": url, "compressionAlgorithm": "GZIP"}
        if self._encoding(document_id) == "unflagged":
            del info["compressionAlgorithm"]
        return info

    def _encoding(self, document_id: str) -> str | None:
        """The document_encoding fault for this document's report type, if any."""
        with self._lock:
            report_type = self._documents[document_id].report_type
        encoding = self._faults.get("document_encoding").get(report_type)
        return None if encoding is None else str(encoding)

    def open_document(self, document_id: str, query: Mapping[str, list[str]]) -> DocumentReply:
        """A GET on a document URL, answered like the S3 bucket behind it."""
        xml = {"Content-Type": "application/xml"}
        signature = (query.get("X-Amz-Signature") or [""])[0]
        now = self._clock()
        with self._lock:
            grant = self._grants.get(signature) if signature else None
            stored = self._documents.get(document_id)
        if not signature:
            return DocumentReply(403, xml, _s3_error("AccessDenied", "The request carries no query-string signature."))
        if grant is None or grant.document_id != document_id:
            return DocumentReply(
                403, xml, _s3_error("SignatureDoesNotMatch", "The signature of this request is not valid.")
            )
        if now >= grant.expires:
            return DocumentReply(
                403,
                xml,
                _s3_error(
                    "AccessDenied",
                    "Request has expired",
                    **{
                        "X-Amz-Expires": str(int(grant.ttl)),
                        "Expires": format_time(grant.expires),
                        "ServerTime": format_time(now),
                    },
                ),
            )
        if stored is None:
            return DocumentReply(404, xml, _s3_error("NoSuchKey", "The key does not exist."))
        with self._lock:
            document, gzipped = stored.materialise()
        content_type = document.content_type
        if self._faults.get("no_charset"):
            content_type = content_type.split(";")[0].strip()
        headers = {
            "Content-Type": content_type,
            "Content-Encoding": "gzip" if grant.gzip_header else "identity",
        }
        report_type = stored.report_type
        body = gzipped
        encoding = self._encoding(document_id)
        if encoding == "plain":
            body = gzip.decompress(gzipped)
        elif encoding == "double_gzip":
            body = gzip.compress(gzipped, mtime=0)
            headers["Content-Encoding"] = "gzip"
        if self._faults.take("empty_document", report_type):
            return DocumentReply(200, headers, b"")
        # Past the gzip header and a good part of the data, but short of the end.
        part = max(20, len(body) * 3 // 5)
        if self._faults.take("truncate_document", report_type):
            return DocumentReply(200, headers, body[:part])
        if self._faults.take("break_document", report_type):
            return DocumentReply(200, headers, body, cut_at=part)
        if self._faults.take("stall_document", report_type):
            return DocumentReply(200, headers, body, cut_at=part, stall=float(self._faults.get("hang_seconds")))
        return DocumentReply(200, headers, body)

    def signatures(self) -> list[str]:
        """The signature of every document URL issued so far."""
        with self._lock:
            return list(self._grants)

    def settlement_reports(self, marketplace_id: str, report_type: str = SETTLEMENT) -> list[dict[str, Any]]:
        """What a getReports of this settlement type naming this marketplace lists now, newest first."""
        now = self._clock()
        query = {"reportTypes": [report_type], "marketplaceIds": [marketplace_id], "processingStatuses": ["DONE"]}
        with self._lock:
            return [self._render(self._reports[rid], now) for rid in self._select(query, now)]

    # ---- internals -----------------------------------------------------------------------

    def _select(self, query: Mapping[str, list[str]], now: float) -> list[str]:
        def values(name: str) -> set[str] | None:
            return set(query[name][0].split(",")) if name in query else None

        types = values("reportTypes")
        statuses = values("processingStatuses")
        marketplaces = values("marketplaceIds")
        since = now - RETENTION.total_seconds()
        if "createdSince" in query:
            parsed = parse_datetime(query["createdSince"][0])
            if parsed is not None:
                since = max(since, parsed.timestamp())
        until = now
        if "createdUntil" in query:
            parsed = parse_datetime(query["createdUntil"][0])
            if parsed is not None:
                until = parsed.timestamp()
        if since > until:
            raise _invalid("createdSince must be before createdUntil.")
        regions = {MARKETPLACE_REGIONS.get(m) for m in marketplaces or ()}

        def of_marketplaces(r: _Report) -> bool:
            if marketplaces is None:
                return True
            if r.report_type in LIST_ONLY:
                # Settlements of every marketplace of the region, whatever marketplaceIds say (Add. §1).
                return any(MARKETPLACE_REGIONS.get(m) in regions for m in r.marketplace_ids)
            return bool(marketplaces.intersection(r.marketplace_ids))

        # Amazon stopped making the old settlement type: only those of periods that ended before are listed.
        removed = _as_utc(f"{self._faults.get('settlement_v1_removed')}T00:00:00Z")
        chosen = [
            r
            for r in self._reports.values()
            if since <= r.created <= until
            and (types is None or r.report_type in types)
            and of_marketplaces(r)
            and (statuses is None or self._status(r, now) in statuses)
            and not (r.report_type == SETTLEMENT and r.data_end >= removed)
        ]
        chosen.sort(key=lambda r: (r.created, int(r.report_id)), reverse=True)
        return [r.report_id for r in chosen]

    def _status(self, report: _Report, now: float) -> str:
        if report.outcome is not None:
            return report.outcome
        if report.stuck is not None:
            return report.stuck
        if self._faults.get("hold_reports"):
            return "IN_PROGRESS"
        elapsed = now - report.created
        if elapsed < report.delay / 3:
            return "IN_QUEUE"
        if elapsed < report.delay:
            return "IN_PROGRESS"
        self._finish(report)
        assert report.outcome is not None
        return report.outcome

    def _finish(self, report: _Report) -> None:
        report.finished = report.created + report.delay
        marketplace_id = report.marketplace_ids[0]
        canned = self._document_files.get(report.report_type)
        if canned is not None and not report.fatal:
            report.outcome = "DONE"
            content_type = flat_content_type(marketplace(marketplace_id))
            document_id = _document_id(marketplace_id)
            self._documents[document_id] = _StoredDocument(
                lambda: Document(b"", content_type), report.report_type, path=canned
            )
            report.document_id = document_id
            return
        if report.fatal:
            report.outcome = "FATAL"
            if report.fatal_document:
                error = Document(
                    body=json.dumps({"errorDetails": report.fatal_details}).encode("utf-8"),
                    content_type="application/json; charset=UTF-8",
                )
                report.document_id = self._add_document(marketplace_id, report.report_type, lambda: error)
            return
        if report.too_soon:
            report.outcome = "CANCELLED"
            return
        document = self._dataset.served_document(
            report.report_type,
            report.marketplace_ids,
            report.data_start,
            report.data_end,
            dict(report.options),
            generated=_forecast_day(self._faults.get("forecast_generated")),
        )
        if document is None:
            report.outcome = "CANCELLED"
            return
        report.outcome = "DONE"
        mutation = self._faults.get("document_mutation").get(report.report_type)
        if mutation is not None:
            document = mutate(document, mutation)
        report.document_id = self._add_document(marketplace_id, report.report_type, lambda: document)

    def add_document(self, marketplace_id: str, kind: str, body: bytes, content_type: str) -> str:
        """Store a document another API names (Data Kiosk); `kind` keys its download faults."""
        document = Document(body, content_type)
        with self._lock:
            return self._add_document(marketplace_id, kind, lambda: document)

    def _add_document(self, marketplace_id: str, report_type: str, load: Callable[[], Document]) -> str:
        document_id = _document_id(marketplace_id)
        self._documents[document_id] = _StoredDocument(load, report_type)
        return document_id

    def _render(self, report: _Report, now: float) -> dict[str, Any]:
        status = self._status(report, now)
        body: dict[str, Any] = {
            "reportId": report.report_id,
            "reportType": report.report_type,
            "dataStartTime": format_time(report.data_start),
            "dataEndTime": format_time(report.data_end),
            "marketplaceIds": list(report.marketplace_ids),
            "createdTime": format_time(report.created),
            "processingStatus": status,
        }
        if status != "IN_QUEUE" and not report.cancelled:
            body["processingStartTime"] = format_time(report.created + report.delay / 3)
        if report.finished is not None and status in ("DONE", "CANCELLED", "FATAL"):
            body["processingEndTime"] = format_time(report.finished)
        if report.document_id is not None:
            body["reportDocumentId"] = report.document_id
        return body
