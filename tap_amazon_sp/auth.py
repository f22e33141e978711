"""Access tokens: Login with Amazon's, one per tap, shared by every stream and thread; and Restricted
Data Tokens, one per restricted operation that a stream calls."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import requests

from tap_amazon_sp.errors import AuthError, TransientError

# Refresh a little before Amazon's expiry (two minutes of an hour's token), so a token never
# dies between the check and its use.
EARLY_REFRESH_SECONDS = 120
EARLY_REFRESH_SHARE = 0.1


class AccessToken(Protocol):
    """What a request's x-amz-access-token comes from."""

    def get(self) -> str:
        """A valid token, fetched again first when it is about to expire."""
        ...

    def invalidate(self, token: str) -> None:
        """Forget `token` (Amazon said it expired) so the next `get` fetches a new one."""
        ...


def _expiry(now: float, lifetime: float) -> float:
    """When a token of `lifetime` seconds, issued `now`, is fetched again."""
    return now + lifetime - min(EARLY_REFRESH_SECONDS, lifetime * EARLY_REFRESH_SHARE)


class LWAToken:
    """Exchanges the refresh token for access tokens and keeps the current one fresh."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        session: requests.Session,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 60,
    ) -> None:
        self._token_url = token_url
        self._form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._session = session
        self._clock = clock
        self._timeout = timeout
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        # Every token request sent, answered or not (the summary and --test count them).
        self.requests_sent = 0

    def get(self) -> str:
        """A valid access token, refreshed first when it is about to expire."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._refresh()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget `token` (Amazon said it expired) so the next `get` fetches a new one."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _refresh(self) -> None:
        self.requests_sent += 1
        try:
            response = self._session.post(
                self._token_url,
                data=self._form,
                headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
                timeout=self._timeout,
                # A redirect followed with 307 would carry the client secret and refresh token elsewhere.
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise TransientError(f"Login with Amazon could not be reached ({type(exc).__name__})") from None
        if 300 <= response.status_code < 400:
            raise AuthError(
                f"Login with Amazon answered with a redirect (HTTP {response.status_code}), not followed, so "
                "the credentials went nowhere else: check lwa_token_url"
            )
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientError(f"Login with Amazon answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or "access_token" not in body:
            error = str(body.get("error") or f"HTTP {response.status_code}")
            if error == "invalid_grant":
                raise AuthError(
                    "Login with Amazon refused the refresh token (invalid_grant): it is wrong, expired or was "
                    "revoked. Re-authorize the app and set a new refresh_token."
                )
            if error == "invalid_client":
                raise AuthError(
                    "Login with Amazon refused the client (invalid_client): check lwa_client_id and "
                    "lwa_client_secret (client secrets expire and must be rotated)."
                )
            raise AuthError(f"Login with Amazon refused the token request ({error}).")
        self._token = str(body["access_token"])
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, (int, float)) else 3600.0
        self._expires_at = _expiry(self._clock(), lifetime)


class RestrictedToken:
    """A Restricted Data Token for one restricted operation (its method and path), fetched from the
    Tokens API when a request first needs it and again before it expires (Amazon's last an hour).

    `fetch` makes the createRestrictedDataToken call; its refusal (the app lacks the operation's
    restricted role) is raised to the stream that asked, as an AuthError or APIError.
    """

    def __init__(
        self,
        fetch: Callable[[Mapping[str, Any]], Mapping[str, Any]],
        *,
        method: str,
        path: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._body = {"restrictedResources": [{"method": method, "path": path}]}
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def get(self) -> str:
        """A valid Restricted Data Token, fetched first when there is none or it is about to expire."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                answer = self._fetch(self._body)
                self._token = str(answer["restrictedDataToken"])
                expires_in = answer.get("expiresIn")
                lifetime = float(expires_in) if isinstance(expires_in, (int, float)) else 3600.0
                self._expires_at = _expiry(self._clock(), lifetime)
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget `token` (Amazon said it expired) so the next `get` fetches a new one."""
        with self._lock:
            if self._token == token:
                self._token = None
