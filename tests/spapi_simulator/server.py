"""The simulator's HTTP server: LWA, the SP-API operations, the document host and control routes.

One ``ThreadingHTTPServer`` on loopback serves everything under one base URL:

* ``POST /auth/o2/token``          Login with Amazon (refresh-token grant);
* ``/reports/2021-06-30/...`` etc. SP-API operations of ``tap_amazon_sp.operations``;
* ``GET /_documents/<id>?X-Amz-...`` the pre-signed document URLs (the "S3" side);
* ``/_sim/...``                    control routes for tests in another process (not recorded),
  ``POST /_sim/reports`` among them: a report another app of the seller asked for.

Every SP-API request goes through the same pipeline, in Amazon's order as far as it is known:
route -> access token -> injected faults -> usage plan (429) -> input checks (400/415) -> handler.
The input checks run (and record violations) before the token and rate checks so that a bad
request is noticed even when it would have been refused for another reason.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, final
from urllib.parse import parse_qs, unquote, urlsplit

from tap_amazon_sp.operations import OPERATIONS, Operation, match

from .data import Dataset
from .faults import Faults
from .lwa import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    Credentials,
    TokenStore,
    handle_token_request,
)
from .paging import Pager
from .reports import MARKETPLACE_REGIONS, ApiError, ReportStore
from .reports_data import SETTLEMENT
from .rest_api import Documents, World, build
from .usage_plans import UsagePlans
from .validation import check_request, parse_datetime
from .vendor_recent import forecast_sunday

__all__ = ["RecordedRequest", "Simulator"]

_CHUNK = 64 * 1024
_JSON = "application/json"
_DOCUMENT_PREFIX = "/_documents/"
_CONTROL_PREFIX = "/_sim/"
_LWA_PATH = "/auth/o2/token"
# What a vendor account may call here: the Reports API, and the REST APIs registered for vendors
# too (rest_api.simulated); the seller APIs answer 403.
_VENDOR_REPORT_OPERATIONS = frozenset({"createReport", "getReports", "getReport", "cancelReport", "getReportDocument"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request the simulator received (SP-API, LWA or document download)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    operation: str | None
    status: int
    time: float


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_at: int | None = None  # a download that breaks off: only this many body bytes are sent
    stall: float = 0.0  # ...and the connection then goes silent this long before it closes


@dataclass(frozen=True)
class _Call:
    """A validated SP-API call as a handler sees it."""

    operation: Operation
    path_params: dict[str, str]
    query: dict[str, list[str]]
    body: Any


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, default=_json_default, ensure_ascii=False).encode("utf-8")


def _json_response(status: int, value: Any, headers: Mapping[str, str] | None = None) -> _Response:
    return _Response(status, _dumps(value), {"Content-Type": _JSON, **(headers or {})})


def _query_handler(answer: Callable[[dict[str, list[str]]], Any]) -> Callable[[_Call], _Response]:
    """A handler for an operation answered from its query string alone."""
    return lambda call: _json_response(200, answer(call.query))


def _body_handler(answer: Callable[[dict[str, Any]], Any]) -> Callable[[_Call], _Response]:
    """A handler for an operation answered from its JSON body alone."""
    return lambda call: _json_response(200, answer(call.body))


def _path_handler(answer: Callable[[dict[str, str], dict[str, list[str]]], Any]) -> Callable[[_Call], _Response]:
    """A handler for an operation answered from its path parameters and its query string."""
    return lambda call: _json_response(200, answer(call.path_params, call.query))


def _call_handler(answer: Callable[[dict[str, Any]], Any]) -> Callable[[_Call], _Response]:
    """A handler for an operation answered from its path parameters, query and body, with its own status."""

    def handle(call: _Call) -> _Response:
        result = answer({"path": call.path_params, "query": call.query, "body": call.body})
        status, value = result if isinstance(result, tuple) else (200, result)
        return _Response(status, b"") if status == 204 else _json_response(status, value)

    return handle


_HANDLERS: dict[str, Callable[[Any], Callable[[_Call], _Response]]] = {
    "query": _query_handler,
    "body": _body_handler,
    "path": _path_handler,
    "call": _call_handler,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-response (an aborted download, a test's timeout) is normal
        # traffic for a server; only real failures deserve a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError) and not self.simulator.verbose:
            return
        super().handle_error(request, client_address)


class _ClientGone(Exception):
    """The connection closed before the request's body arrived."""


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive, which is what requests' pooling expects; every response
    # therefore carries an exact Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "SPAPISimulator/1.0"
    # An idle pooled connection is dropped after this long; clients reconnect transparently.
    timeout = 300
    # Headers and body go out in separate writes; with Nagle's algorithm the second one waits
    # for the client's delayed ACK (~40 ms per request on Linux).
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def do_GET(self) -> None:
        self.server.simulator._serve(self)

    do_POST = do_GET
    do_DELETE = do_GET
    do_PUT = do_GET
    do_PATCH = do_GET

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.simulator.verbose:
            super().log_message(format, *args)

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return b"".join(self._read_chunks())
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if len(body) < length:
            # The client died between its headers and its body (a killed tap): nothing to answer.
            raise _ClientGone
        return body

    def _read_chunks(self) -> Iterator[bytes]:
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return
            yield self.rfile.read(size)
            self.rfile.readline()

    def write_response(self, response: _Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        # Written in pieces so that clients see a streamed body, as from S3.
        view = memoryview(response.body)
        if response.cut_at is not None:
            view = view[: response.cut_at]
        for start in range(0, len(view), _CHUNK):
            self.wfile.write(view[start : start + _CHUNK])
        self.wfile.flush()
        if response.cut_at is not None:
            if response.stall:
                time.sleep(response.stall)
            self.hang_up()

    def hang_up(self, *, reset: bool = False) -> None:
        """End the connection without (the rest of) an answer; with reset, abruptly (TCP RST)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)


# Every simulator of this process that is serving, and the secrets of those that stopped: each
# test's output is searched for all of them (tests/conftest.py), whichever simulator issued them.
_live: weakref.WeakSet[Simulator] = weakref.WeakSet()
_stopped_secrets: list[str] = []
_registry_lock = threading.Lock()


def every_issued_secret() -> list[str]:
    """The secrets of every simulator this process ever started, each once."""
    with _registry_lock:
        live = list(_live)
        stopped = list(_stopped_secrets)
    return list(dict.fromkeys([*stopped, *(secret for sim in live for secret in sim.issued_secrets())]))


@final
class Simulator:
    """A fake SP-API (plus LWA and the document host) on a loopback port.

    Use as a context manager or call ``start()``/``stop()``. All state (requests, violations,
    faults, reports) is held here and is safe to read from the test thread while serving.
    """

    def __init__(
        self,
        seed: int = 1,
        rows: int = 60,
        processing_delay: float = 0.2,
        rate_scale: float = 1.0,
        token_ttl: float = 3600,
        document_url_ttl: float = 300,
        faults: Mapping[str, Any] | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        refresh_token: str = DEFAULT_REFRESH_TOKEN,
        verbose: bool = False,
        document_files: Mapping[str, str | Path] | None = None,
        anchor: datetime | None = None,
    ) -> None:
        self.verbose = verbose
        self.rate_scale = rate_scale
        self.credentials = Credentials(client_id, client_secret, refresh_token)
        self.dataset = Dataset(seed, rows)
        # The REST (non-report) APIs, each in its own module; "recent" data sits just before this
        # (now, unless a test fixes it to make the output the same on every day). The vendor forecast
        # is the one Amazon generated on the Sunday before it.
        self.anchor = anchor or datetime.now(timezone.utc).replace(microsecond=0)
        self.faults = Faults(
            {
                "forecast_generated": forecast_sunday(self.anchor).isoformat(),
                "processing_delay": processing_delay,
                "token_ttl": token_ttl,
                "document_url_ttl": document_url_ttl,
                **(faults or {}),
            }
        )
        self.tokens = TokenStore()
        self.faults.on("expire_tokens", lambda on: self.tokens.expire_all() if on else None)
        self.usage_plans = UsagePlans(OPERATIONS.values(), rate_scale)
        self.reports = ReportStore(
            self.dataset,
            self.faults,
            document_files={k: Path(v) for k, v in (document_files or {}).items()},
            violation=lambda reason: self._violation("POST", "/reports/2021-06-30/reports", reason),
        )
        self.reports.seed_settlements(list(MARKETPLACE_REGIONS))
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._violations: list[str] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None
        self.pager = Pager(self.faults)
        # sim.orders, sim.finances, ...: every *_api.py module's API (rest_api.py).
        documents = Documents(
            self.reports.add_document,
            lambda document_id: self.reports.document_info(document_id, self.url, True)["url"],
        )
        self._apis, rest = build(World(seed, rows, self.pager, self.anchor, self.faults, self.tokens, documents))
        self._handlers: dict[str, Callable[[_Call], _Response]] = {
            "createReport": self._create_report,
            "getReports": self._get_reports,
            "getReport": self._get_report,
            "cancelReport": self._cancel_report,
            "getReportDocument": self._get_report_document,
        }
        for answer in rest:
            self._handlers[answer.operation] = _HANDLERS[answer.reads](answer.answer)
        self._vendor_operations = _VENDOR_REPORT_OPERATIONS | {a.operation for a in rest if a.vendor}
        self._restricted_operations = frozenset(a.operation for a in rest if a.restricted)

    def __getattr__(self, name: str) -> Any:
        # A simulated REST API by its registered name (sim.inventory); only reached for other names.
        apis = self.__dict__.get("_apis") or {}
        if name in apis:
            return apis[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving in a daemon thread; returns the base URL."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        server = _Server((host, port), self)
        self._server = server
        self._url = f"http://{host}:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="spapi-simulator",
            daemon=True,
        )
        self._thread.start()
        with _registry_lock:
            _live.add(self)
        return self._url

    def stop(self) -> None:
        """Stop serving and drop every open connection."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with server.connections_lock:
            open_connections = list(server.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        secrets = self.issued_secrets()
        with _registry_lock:
            _live.discard(self)
            _stopped_secrets.extend(secrets)

    def __enter__(self) -> Simulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL (``http://127.0.0.1:PORT``) of the running simulator."""
        if self._url is None:
            raise RuntimeError("simulator not started")
        return self._url

    # ---- inspection and control ----------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every recorded request, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    @property
    def violations(self) -> list[str]:
        """A copy of every contract violation seen, as 'METHOD PATH: reason'."""
        with self._lock:
            return list(self._violations)

    def set_faults(self, **switches: Any) -> None:
        """Change fault switches at run time (see faults.SWITCHES)."""
        self.faults.set(**switches)

    def reset(self) -> None:
        """Forget requests and violations, restore the constructed faults, refill the buckets."""
        with self._lock:
            self._requests.clear()
            self._violations.clear()
        self.faults.reset()
        self.usage_plans.refill_all()
        for api in self._apis.values():
            if hasattr(api, "reset"):
                api.reset()

    def issued_secrets(self) -> list[str]:
        """Everything secret this simulator knows or handed out: the client secret, the refresh
        token, every access token and every document URL signature. None may ever be printed."""
        return [
            self.credentials.client_secret,
            self.credentials.refresh_token,
            *self.tokens.issued(),
            *self.reports.signatures(),
        ]

    def plant_report(
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
        """Add a report another app of the seller asked for (see ReportStore.plant); its id."""
        return self.reports.plant(report_type, marketplace_ids, start, end, options, delay=delay, age=age)

    def expected_records(
        self,
        report_type: str,
        marketplace_id: str,
        start: datetime | None,
        end: datetime | None,
    ) -> list[dict[str, Any]]:
        """Ground truth: the records the tap should emit for one report window."""
        return self.dataset.expected_records(report_type, marketplace_id, start, end)

    def settlement_reports(self, marketplace_id: str, report_type: str = SETTLEMENT) -> list[dict[str, Any]]:
        """The settlement reports of this type a listing naming the marketplace finds now (every
        marketplace of its region), as getReport shows them, newest first."""
        return self.reports.settlement_reports(marketplace_id, report_type)

    def expected_settlement_records(self, report_id: str) -> list[dict[str, Any]]:
        """Ground truth for one settlement report."""
        return self.dataset.expected_settlement_records(report_id)

    # ---- request pipeline ----------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        started = time.time()
        split = urlsplit(handler.path)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        headers: dict[str, str] = {}
        for name, value in handler.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        method = handler.command
        operation: str | None = None
        try:
            try:
                body = handler.read_body()
            except _ClientGone:
                return
            if path.startswith(_CONTROL_PREFIX):
                handler.write_response(self._control(method, path, query, body))
                return
            found = None
            if path == _LWA_PATH:
                fault_key = "lwa"
            elif path.startswith(_DOCUMENT_PREFIX):
                fault_key = "document"
            else:
                found = match(method, path)
                operation = found[0].name if found else None
                fault_key = operation or ""
            if self._drop(handler, fault_key, method, path, query, headers, body, started):
                return
            if self.faults.take("redirect", fault_key):
                # Another host name for this server: a client that follows carries its headers there.
                elsewhere = self.url.replace("127.0.0.1", "localhost") + "/_elsewhere"
                response = _Response(307, b"", {"Location": elsewhere})
            elif path == _LWA_PATH:
                response = self._lwa(method, path, body, headers)
            elif path.startswith(_DOCUMENT_PREFIX):
                response = self._document(method, path, query, headers)
            else:
                response = self._spapi(method, path, query, headers, body, found)
        except Exception:  # a simulator bug must still answer, or the client hangs
            traceback.print_exc(file=sys.stderr)
            body = b""
            response = _json_response(
                500, {"errors": [{"code": "InternalFailure", "message": "Simulator error.", "details": ""}]}
            )
        with self._lock:
            self._requests.append(
                RecordedRequest(method, path, query, headers, body, operation, response.status, started)
            )
        if operation and self.faults.take("slow_answer", operation):
            # Done and recorded, answered late: the client is inside the request meanwhile.
            time.sleep(float(self.faults.get("hang_seconds")))
        handler.write_response(response)

    def _drop(
        self,
        handler: _Handler,
        key: str,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        started: float,
    ) -> bool:
        """The reset_connection and hang faults: no answer at all. Recorded with status 0."""
        reset = self.faults.take("reset_connection", key)
        hang = not reset and self.faults.take("hang", key)
        if not (reset or hang):
            return False
        if path.startswith(_DOCUMENT_PREFIX):
            for name in ("x-amz-access-token", "authorization"):
                if name in headers:
                    self._violation(method, path, f"{name} header sent to the document host")
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    method, path, query, headers, body, None if key in ("lwa", "document") else key, 0, started
                )
            )
        if hang:
            time.sleep(float(self.faults.get("hang_seconds")))
        handler.hang_up(reset=reset)
        return True

    def _violation(self, method: str, path: str, reason: str) -> None:
        with self._lock:
            self._violations.append(f"{method} {path}: {reason}")

    def _lwa(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> _Response:
        extra = {"Cache-Control": "no-store", "Pragma": "no-cache", "x-amzn-RequestId": str(uuid.uuid4())}
        if self.faults.take("throttle", "lwa"):
            return _json_response(429, {"error": "slow_down", "error_description": "Too many requests."}, extra)
        if self.faults.take("server_error", "lwa"):
            status = int(self.faults.get("server_error_status"))
            return _json_response(status, {"error": "server_error", "error_description": "Internal failure."}, extra)
        if method != "POST":
            self._violation(method, path, "the token endpoint takes POST only")
            return _json_response(405, {"error": "invalid_request", "error_description": "POST only"}, extra)
        reply = handle_token_request(
            body,
            headers.get("content-type"),
            self.credentials,
            self.tokens,
            ttl=float(self.faults.get("token_ttl")),
            force_invalid_grant=bool(self.faults.get("invalid_grant")),
            force_invalid_client=bool(self.faults.get("invalid_client")),
        )
        for reason in reply.violations:
            self._violation(method, path, reason)
        extra["Content-Type"] = "application/json;charset=UTF-8"
        return _Response(reply.status, _dumps(reply.body), extra)

    def _document(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> _Response:
        for name in ("x-amz-access-token", "authorization"):
            if name in headers:
                self._violation(method, path, f"{name} header sent to the document host")
        if method != "GET":
            self._violation(method, path, "document URLs take GET only")
            return _Response(405, b"", {"Content-Type": "application/xml"})
        document_id = unquote(path[len(_DOCUMENT_PREFIX) :])
        if self.faults.take("throttle", "document") or self.faults.take("server_error", "document"):
            # S3 says "slow down" with a 503, and has its own 500s.
            status = 503 if self.faults.get("server_error_status") == 503 else 500
            code, message = (
                ("SlowDown", "Please reduce your request rate.")
                if status == 503
                else ("InternalError", "We encountered an internal error. Please try again.")
            )
            return _Response(
                status,
                f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error>".encode(),
                {"Content-Type": "application/xml"},
            )
        reply = self.reports.open_document(document_id, query)
        return _Response(reply.status, reply.body, dict(reply.headers), reply.cut_at, reply.stall)

    def _spapi(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        found: tuple[Operation, dict[str, str]] | None,
    ) -> _Response:
        request_id = {"x-amzn-RequestId": str(uuid.uuid4())}
        if found is None:
            self._violation(method, path, "no operation matches this method and path")
            return _json_response(
                403,
                {
                    "errors": [
                        {
                            "code": "MissingAuthenticationToken",
                            "message": "Access to requested resource is denied.",
                            "details": "",
                        }
                    ]
                },
                {**request_id, "x-amzn-ErrorType": "MissingAuthenticationTokenException"},
            )
        op, path_params = found
        problems = check_request(op, path_params, query, body, headers.get("content-type"))
        for problem in problems:
            self._violation(method, path, problem.reason)

        if self.faults.get("account_type") == "Vendor" and op.name not in self._vendor_operations:
            self._violation(method, path, f"{op.name} is a seller operation, called by a vendor")
            return _json_response(
                403,
                ApiError(
                    403,
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    "",
                ).body(),
                request_id,
            )
        denied = self.tokens.check(headers.get("x-amz-access-token"))
        if denied is not None:
            return _json_response(
                403,
                ApiError(
                    403,
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    denied,
                ).body(),
                request_id,
            )
        if op.name in self._restricted_operations and (op.method, path) not in self.tokens.restricted(
            headers.get("x-amz-access-token")
        ):
            # A restricted operation called with Login with Amazon's token, not a Restricted Data Token.
            self._violation(method, path, f"{op.name} called without a Restricted Data Token for its path")
            return _json_response(
                403, ApiError(403, "Unauthorized", "Access to requested resource is denied.", "").body(), request_id
            )
        if op.name in self.faults.get("no_role"):
            # What Amazon answers an app whose developer profile lacks the operation's role.
            return _json_response(
                403,
                ApiError(
                    403,
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    "",
                ).body(),
                request_id,
            )
        if self.faults.take("throttle", op.name) or not self.usage_plans.acquire(op.name):
            return self._throttled(request_id)
        if self.faults.take("server_error", op.name):
            status = int(self.faults.get("server_error_status"))
            message = (
                "We encountered an internal error. Please try again."
                if status == 500
                else "Service temporarily unavailable. Please try again."
            )
            code = "InternalFailure" if status == 500 else "ServiceUnavailable"
            return _json_response(status, ApiError(status, code, message).body(), request_id)

        rate = (
            {"x-amzn-RateLimit-Limit": self.usage_plans.limit_header(op.name)}
            if self.faults.get("rate_limit_header")
            else {}
        )
        if problems:
            first = problems[0]
            error = ApiError(
                first.status,
                "InvalidInput" if first.status == 400 else "UnsupportedMediaType",
                first.reason,
                "; ".join(p.reason for p in problems),
            )
            extra = rate if first.status == 400 else {}
            return _json_response(first.status, error.body(), {**request_id, **extra})

        handler = self._handlers.get(op.name)
        if handler is None:
            return _json_response(
                501,
                ApiError(
                    501,
                    "NotImplemented",
                    f"The simulator does not serve {op.name} yet.",
                ).body(),
                request_id,
            )
        call = _Call(op, path_params, query, json.loads(body) if body.strip() else None)
        try:
            response = handler(call)
        except ApiError as error:
            if error.violation:
                self._violation(method, path, error.message)
            response = _json_response(error.status, error.body())
        if 200 <= response.status < 300 and self.faults.take("garbled_answer", op.name):
            response = _Response(
                response.status, b"<html><body>Service Unavailable</body></html>", {"Content-Type": "text/html"}
            )
        elif 200 <= response.status < 300 and self.faults.take("hollow_answer", op.name):
            response = _Response(response.status, b"{}", {"Content-Type": _JSON})
        response.headers.update(request_id)
        if 200 <= response.status < 300 or response.status in (400, 404):
            response.headers.update(rate)
        return response

    def _throttled(self, request_id: dict[str, str]) -> _Response:
        # No x-amzn-RateLimit-Limit on a 429: Amazon never sends it there.
        return _json_response(
            429,
            ApiError(
                429,
                "QuotaExceeded",
                "You exceeded your quota for the requested resource.",
            ).body(),
            request_id,
        )

    # ---- operation handlers --------------------------------------------------------------

    def _create_report(self, call: _Call) -> _Response:
        report_id = self.reports.create(call.body)
        return _json_response(202, {"reportId": report_id})

    def _get_reports(self, call: _Call) -> _Response:
        return _json_response(200, self.reports.list_reports(call.query))

    def _get_report(self, call: _Call) -> _Response:
        report = self.reports.get(call.path_params["reportId"])
        if report.get("processingStatus") == "DONE" and self.faults.take("done_without_document", report["reportType"]):
            report = {k: v for k, v in report.items() if k != "reportDocumentId"}
        return _json_response(200, report)

    def _cancel_report(self, call: _Call) -> _Response:
        self.reports.cancel(call.path_params["reportId"])
        return _Response(200, b"", {"Content-Type": _JSON})

    def _get_report_document(self, call: _Call) -> _Response:
        gzip_header = call.query.get("enableContentEncodingUrlHeader", ["false"])[0] == "true"
        info = self.reports.document_info(call.path_params["reportDocumentId"], self.url, gzip_header)
        return _json_response(200, info)

    # ---- control routes ------------------------------------------------------------------

    def _control(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> _Response:
        route = (method, path[len(_CONTROL_PREFIX) :].rstrip("/"))
        try:
            if route == ("GET", "requests"):
                return _json_response(
                    200, [{**asdict(r), "body": r.body.decode("utf-8", "replace")} for r in self.requests]
                )
            if route == ("GET", "violations"):
                return _json_response(200, self.violations)
            if route == ("GET", "faults"):
                return _json_response(200, self.faults.snapshot())
            if route == ("POST", "faults"):
                switches = json.loads(body or b"{}")
                if not isinstance(switches, dict):
                    raise ValueError("expected a JSON object of switches")
                self.set_faults(**switches)
                return _json_response(200, self.faults.snapshot())
            if route == ("POST", "reports"):
                spec = json.loads(body or b"{}")
                report_id = self.plant_report(
                    spec["report_type"],
                    list(spec["marketplace_ids"]),
                    spec.get("start"),
                    spec.get("end"),
                    spec.get("options"),
                    delay=float(spec.get("delay", 0.0)),
                    age=float(spec.get("age", 0.0)),
                )
                return _json_response(200, {"reportId": report_id})
            if route == ("POST", "reset"):
                self.reset()
                return _json_response(200, {"reset": True})
            if route == ("GET", "expected"):

                def when(name: str) -> datetime | None:
                    raw = query.get(name, [""])[0]
                    if not raw:
                        return None
                    parsed = parse_datetime(raw)
                    if parsed is None:
                        raise ValueError(f"{name} is not an ISO 8601 date-time: {raw!r}")
                    return parsed

                return _json_response(
                    200,
                    self.expected_records(
                        query["report_type"][0], query["marketplace_id"][0], when("start"), when("end")
                    ),
                )
            if route == ("GET", "settlements"):
                reports = self.settlement_reports(query["marketplace_id"][0], query.get("report_type", [SETTLEMENT])[0])
                return _json_response(
                    200,
                    {
                        "reports": reports,
                        "expected_records": {
                            r["reportId"]: self.expected_settlement_records(r["reportId"]) for r in reports
                        },
                    },
                )
        except (KeyError, ValueError) as exc:
            return _json_response(400, {"error": f"{type(exc).__name__}: {exc}"})
        return _json_response(404, {"error": f"no control route {method} {path}"})
