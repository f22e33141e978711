"""Login with Amazon: the refresh-token grant at /auth/o2/token and the access tokens it issues."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REFRESH_TOKEN",
    "TOKEN_EXPIRED",
    "TOKEN_INVALID",
    "TOKEN_MISSING",
    "Credentials",
    "TokenReply",
    "TokenStore",
    "handle_token_request",
]

DEFAULT_CLIENT_ID = "amzn1.application-oa2-client.simclient"
DEFAULT_CLIENT_SECRET = "sim-client-secret-DO-NOT-LOG"
DEFAULT_REFRESH_TOKEN = "Atzr|sim-refresh-token-DO-NOT-LOG"

# The `details` strings of Amazon's 403 Unauthorized; clients match on them.
TOKEN_MISSING = "Access token is missing in the request header."
TOKEN_EXPIRED = "The access token you provided has expired."
TOKEN_INVALID = "The access token you provided is revoked, malformed or invalid."

_INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "The request has an invalid grant parameter : refresh_token",
}
_INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}
_UNSUPPORTED_GRANT = {
    "error": "unsupported_grant_type",
    "error_description": "The authorization grant type is not supported by the authorization server",
}


@dataclass(frozen=True)
class Credentials:
    """The one LWA application and seller authorization the simulator accepts."""

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    refresh_token: str = DEFAULT_REFRESH_TOKEN


class TokenStore:
    """Issued access tokens and their expiry (wall-clock seconds)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self._restricted: dict[str, frozenset[tuple[str, str]]] = {}

    def issue(self, ttl: float) -> str:
        """A new access token valid for ``ttl`` seconds."""
        token = "Atza|" + secrets.token_urlsafe(48)
        with self._lock:
            self._expiry[token] = self._clock() + ttl
        return token

    def issue_restricted(self, ttl: float, resources: frozenset[tuple[str, str]]) -> str:
        """A new Restricted Data Token for these (method, path) resources, valid for ``ttl`` seconds."""
        token = "Atz.sprdt|" + secrets.token_urlsafe(48)
        with self._lock:
            self._expiry[token] = self._clock() + ttl
            self._restricted[token] = resources
        return token

    def restricted(self, token: str | None) -> frozenset[tuple[str, str]]:
        """The (method, path) resources a Restricted Data Token is for (none for any other token)."""
        with self._lock:
            return self._restricted.get(token or "", frozenset())

    def check(self, token: str | None) -> str | None:
        """None when ``token`` is valid now, else the 403 `details` string explaining why not."""
        if not token:
            return TOKEN_MISSING
        with self._lock:
            expiry = self._expiry.get(token)
        if expiry is None:
            return TOKEN_INVALID
        if self._clock() >= expiry:
            return TOKEN_EXPIRED
        return None

    def issued(self) -> list[str]:
        """Every access token issued so far."""
        with self._lock:
            return list(self._expiry)

    def expire_all(self) -> None:
        """Make every token issued so far expired (tokens issued later are unaffected)."""
        now = self._clock()
        with self._lock:
            for token in self._expiry:
                self._expiry[token] = min(self._expiry[token], now)


@dataclass(frozen=True)
class TokenReply:
    """What the token endpoint answers, plus any contract violations the request showed."""

    status: int
    body: dict[str, Any]
    violations: tuple[str, ...] = ()


def handle_token_request(
    body: bytes,
    content_type: str | None,
    credentials: Credentials,
    store: TokenStore,
    *,
    ttl: float,
    force_invalid_grant: bool = False,
    force_invalid_client: bool = False,
) -> TokenReply:
    """Answer one POST to /auth/o2/token like LWA does for the refresh-token grant."""
    violations: list[str] = []
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        violations.append(f"token request Content-Type is {content_type!r}, expected a form")
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        form = {}
    fields = {k: v[0] for k, v in form.items()}
    for name, values in form.items():
        if len(values) > 1:
            violations.append(f"token request repeats form field {name!r}")
    for name in ("grant_type", "refresh_token", "client_id", "client_secret"):
        if name not in fields:
            violations.append(f"token request lacks form field {name!r}")

    if force_invalid_client:
        return TokenReply(401, _INVALID_CLIENT, tuple(violations))
    if force_invalid_grant:
        return TokenReply(400, _INVALID_GRANT, tuple(violations))
    if fields.get("grant_type") != "refresh_token":
        return TokenReply(400, _UNSUPPORTED_GRANT, tuple(violations))
    if fields.get("client_id") != credentials.client_id or fields.get("client_secret") != credentials.client_secret:
        return TokenReply(401, _INVALID_CLIENT, tuple(violations))
    if fields.get("refresh_token") != credentials.refresh_token:
        return TokenReply(400, _INVALID_GRANT, tuple(violations))
    token = store.issue(ttl)
    return TokenReply(
        200,
        {"access_token": token, "token_type": "bearer", "expires_in": int(ttl)},
        tuple(violations),
    )
