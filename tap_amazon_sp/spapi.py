"""The one place SP-API requests are made: usage plans, auth header, retries, error mapping."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from singer_sdk import metrics

from tap_amazon_sp import __version__, stopping
from tap_amazon_sp.auth import AccessToken, LWAToken
from tap_amazon_sp.errors import APIError, AuthError, TransientError
from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.progress import SyncProgress, prefixed, tags
from tap_amazon_sp.ratelimit import UsagePlans
from tap_amazon_sp.retry import Backoff, Retries

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TOKEN_EXPIRED = "The access token you provided has expired."
USER_AGENT = f"tap-amazon-sp/{__version__} (Language=Python)"
METRICS = metrics.get_metrics_logger()


def describe_url(url: str) -> str:
    """A URL without its query string: pre-signed URLs carry credentials there."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class _HideQueryStrings(logging.Filter):
    """Cut query strings from urllib3's request lines: those of document URLs are credentials."""

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                f"{arg.partition('?')[0]}?<hidden>" if isinstance(arg, str) and "?" in arg else arg
                for arg in record.args
            )
        return True


# urllib3 logs every request's path and query at DEBUG, so LOGLEVEL=DEBUG would print pre-signed
# document URLs. A filter on its logger hides them whoever configures logging.
logging.getLogger("urllib3.connectionpool").addFilter(_HideQueryStrings())


class SPAPIClient:
    """Calls SP-API operations by name for every stream of one tap."""

    def __init__(
        self,
        *,
        base_url: str,
        token: LWAToken,
        session: requests.Session,
        plans: UsagePlans,
        logger: logging.Logger,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 120,
        progress: SyncProgress | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session
        self.plans = plans
        self.logger = logger
        self.backoff = backoff or Backoff()
        self.retries = Retries(tries=self.backoff.tries, backoff=self.backoff, logger=logger, sleep=sleep)
        self.timeout = timeout
        self.request_count = 0
        self.progress = progress or SyncProgress(logger)

    def call(
        self,
        operation: str,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        token: AccessToken | None = None,
    ) -> dict[str, Any]:
        """Make one SP-API call, retrying what is transient; return the JSON body. `token` is the
        access token to send instead of Login with Amazon's (a Restricted Data Token)."""
        body = self.call_if_quota_free(
            operation, path_params=path_params, params=params, json=json, wait=True, token=token
        )
        assert body is not None
        return body

    def call_if_quota_free(
        self,
        operation: str,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        wait: bool = False,
        token: AccessToken | None = None,
    ) -> dict[str, Any] | None:
        """Like `call`, but return None instead of waiting when the usage plan has no request left.

        Work done ahead must never hold up work needed now.
        """
        only_if_quota_free = not wait
        source = token or self.token
        op = OPERATIONS[operation]
        path = op.path.format(**{k: quote(str(v), safe="") for k, v in (path_params or {}).items()})
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        bucket = self.plans.bucket(operation, op.rate, op.burst)
        refreshed = False
        attempt = 0
        if only_if_quota_free and not bucket.try_acquire():
            return None
        while True:
            attempt += 1
            if attempt > 1 or not only_if_quota_free:
                bucket.acquire()
            access_token = self._access_token(operation, source)
            headers = {"x-amz-access-token": access_token, "user-agent": USER_AGENT, "accept": "application/json"}
            began = time.monotonic()
            stopping.sending()
            try:
                self.request_count += 1
                # SP-API never redirects: following one would carry the access token to another host.
                response = self.session.request(
                    op.method,
                    self.base_url + path,
                    params=query,
                    json=json,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                self._measured(operation, op.path, None, began)
                problem = f"connection error ({type(exc).__name__})"
            else:
                status = response.status_code
                self._measured(operation, op.path, status, began)
                if 200 <= status < 300:
                    self._learn_rate(response, bucket)
                    body, problem = _answer(response, op.answers)
                    if body is not None:
                        return body
                else:
                    code, message, details = _error(response)
                    if status == 403 and details == TOKEN_EXPIRED and not refreshed:
                        # The token died in flight (long waits on reports): refresh once and retry.
                        refreshed = True
                        source.invalidate(access_token)
                        continue
                    if status not in RETRY_STATUSES:
                        self._learn_rate(response, bucket)
                        raise _refusal(operation, response, status, code, message, details)
                    problem = f"HTTP {status} {code}".strip()
            stopping.not_sent()
            if not self.retries.again(attempt, prefixed(f"{operation}: {problem}; retrying")):
                raise TransientError(f"{operation} still failing after {attempt} tries: {problem}")

    def _measured(self, operation: str, endpoint: str, status: int | None, began: float) -> None:
        """Count one request, and log its `http_request_duration` metric as the SDK does for its own."""
        self.progress.request(operation, status)
        point = metrics.Point(
            "timer", metrics.Metric.HTTP_REQUEST_DURATION, time.monotonic() - began, tags(operation, endpoint, status)
        )
        metrics.log(METRICS, point)

    def _access_token(self, operation: str, source: AccessToken) -> str:
        """The current access token. Login with Amazon can be down or slow too: that is retried
        with the same backoff, on its own count of tries, so it does not use up the operation's.
        A restricted token is fetched through an SP-API call, which has retries of its own."""
        if source is not self.token:
            return source.get()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self.token.get()
            except TransientError as exc:
                if not self.retries.again(attempt, prefixed(f"{operation}: {exc}; retrying")):
                    raise TransientError(f"{exc}, still after {attempt} tries") from None

    def _learn_rate(self, response: requests.Response, bucket: Any) -> None:
        limit = response.headers.get("x-amzn-RateLimit-Limit")
        if limit:
            with contextlib.suppress(ValueError):
                bucket.set_rate(float(limit))


def _refusal(
    operation: str, response: requests.Response, status: int, code: str, message: str, details: str
) -> AuthError | APIError:
    request_id = response.headers.get("x-amzn-RequestId", "")
    text = f"{operation} failed: HTTP {status} {code}: {message}"
    if 300 <= status < 400:
        elsewhere = urlsplit(response.headers.get("Location", "")).netloc or "another address"
        text = f"{operation} failed: HTTP {status}, a redirect to {elsewhere}, not followed: SP-API never redirects"
    if details:
        text += f" ({details})"
    if request_id:
        text += f" [request id {request_id}]"
    if status in (401, 403):
        return AuthError(text)
    return APIError(text, status=status, code=code)


def _query_value(value: Any) -> str:
    # SP-API takes arrays as comma-separated values.
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _answer(response: requests.Response, needed: tuple[str, ...]) -> tuple[dict[str, Any] | None, str]:
    """A 2xx answer's JSON object, or None and what is wrong with it. Read as "no data", a
    proxy's error page or an answer without its report id would stall a sync or pass a window."""
    if not response.content:
        # cancelReport answers with no body at all.
        body: Any = {}
    else:
        try:
            body = response.json()
        except ValueError:
            return None, f"HTTP {response.status_code} with a body that is not JSON"
    if not isinstance(body, dict):
        return None, f"HTTP {response.status_code} with a body that is not a JSON object"
    missing = [key for key in needed if body.get(key) in (None, "")]
    if missing:
        return None, f"HTTP {response.status_code} without {', '.join(missing)} in its answer"
    return body, ""


def _error(response: requests.Response) -> tuple[str, str, str]:
    try:
        errors = response.json().get("errors") or []
        first = errors[0]
        return str(first.get("code", "")), str(first.get("message", "")), str(first.get("details") or "")
    except (ValueError, AttributeError, IndexError, TypeError):
        return "", response.reason or "", ""
