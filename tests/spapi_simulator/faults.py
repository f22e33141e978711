"""Fault switches: the knobs a test turns to make the simulator misbehave like Amazon can.

Each switch is declared once in ``SWITCHES`` with its default and a coercion function, so a new
fault (connection resets, truncated gzip, stuck reports, ...) is one entry here plus a check at the
place in the server where it should bite. Values arriving from JSON or the command line are
coerced and validated here, so the rest of the simulator can trust their types.

Counter switches (``throttle``, ``server_error``, ``fatal``, ...) map a key (operation name,
``lwa`` for the token endpoint, ``document`` for the document host, or a report type) to how many
of the next matching events should misbehave; the key ``*`` matches any. ``Faults.take`` consumes one.
Action switches (``expire_tokens``) are not stored: setting them runs a hook once.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["SWITCHES", "Faults", "Switch"]


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"expected a boolean, got {value!r}")


def _seconds(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"expected seconds, got {value!r}")
    number = float(value)
    if number < 0:
        raise ValueError(f"expected non-negative seconds, got {value!r}")
    return number


def _seconds_list(value: Any) -> list[float]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list of seconds, got {value!r}")
    return [_seconds(v) for v in value]


def _counters(value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object of name -> count, got {value!r}")
    result: dict[str, int] = {}
    for key, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count for {key!r} must be a non-negative integer, got {count!r}")
        result[str(key)] = count
    return result


def _stuck_status(value: Any) -> str:
    status = str(value)
    if status not in ("IN_QUEUE", "IN_PROGRESS"):
        raise ValueError(f"stuck_status must be IN_QUEUE or IN_PROGRESS, got {value!r}")
    return status


def _mutations(value: Any) -> dict[str, str]:
    from .mutations import MUTATIONS

    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object of reportType -> mutation, got {value!r}")
    result: dict[str, str] = {}
    for key, name in value.items():
        if name not in MUTATIONS:
            raise ValueError(f"unknown document mutation {name!r}; known: {', '.join(sorted(MUTATIONS))}")
        result[str(key)] = str(name)
    return result


# How a document is served: `plain` its bytes uncompressed under compressionAlgorithm GZIP (EU,
# July 2023), `unflagged` gzip with no compressionAlgorithm (2021), `double_gzip` its gzip gzipped
# again and sent with Content-Encoding: gzip (June 2023). SPAPI-NOTES, Additions §9.
DOCUMENT_ENCODINGS = ("plain", "unflagged", "double_gzip")


def _encodings(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object of reportType -> encoding, got {value!r}")
    result: dict[str, str] = {}
    for key, name in value.items():
        if name not in DOCUMENT_ENCODINGS:
            raise ValueError(f"unknown document encoding {name!r}; known: {', '.join(DOCUMENT_ENCODINGS)}")
        result[str(key)] = str(name)
    return result


def _iso_date(value: Any) -> str:
    return date.fromisoformat(str(value)).isoformat()


def _iso_date_or_empty(value: Any) -> str:
    return _iso_date(value) if value else ""


def _names(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"expected a list of names, got {value!r}")
    return list(value)


def _account_type(value: Any) -> str:
    account = str(value)
    if account not in ("any", "Seller", "Vendor"):
        raise ValueError(f"account_type must be any, Seller or Vendor, got {value!r}")
    return account


def _host_region(value: Any) -> str:
    region = str(value)
    if region not in ("NA", "EU", "FE"):
        raise ValueError(f"host_region must be NA, EU or FE, got {value!r}")
    return region


def _error_status(value: Any) -> int:
    status = int(value)
    if status not in (500, 503):
        raise ValueError(f"server_error_status must be 500 or 503, got {value!r}")
    return status


@dataclass(frozen=True)
class Switch:
    """One fault switch: its default value, how to coerce input, and whether it is an action."""

    name: str
    default: Any
    coerce: Callable[[Any], Any]
    help: str
    action: bool = False


SWITCHES: dict[str, Switch] = {
    s.name: s
    for s in (
        Switch("throttle", {}, _counters, "{operationId: n}: the next n calls answer 429"),
        Switch("server_error", {}, _counters, "{operationId: n}: the next n calls answer 5xx"),
        Switch("server_error_status", 500, _error_status, "status of server_error: 500 or 503"),
        Switch("fatal", {}, _counters, "{reportType: n}: the next n created reports end FATAL"),
        Switch("fatal_error_document", True, _bool, "FATAL reports carry an error document"),
        Switch(
            "cancel",
            {},
            _counters,
            "{reportType: n}: the next n created reports end CANCELLED, data or not (as Amazon cancels an FBA "
            "report requested too soon after the last one it generated)",
        ),
        Switch(
            "no_role",
            [],
            _names,
            "[operationId, ...]: these answer 403 Unauthorized, as for an app without the role they need",
        ),
        Switch(
            "missing_roles",
            [],
            _names,
            "[role, ...]: roles the app lacks; Data Kiosk refuses (403) a query of a dataset that needs one",
        ),
        Switch(
            "account_type",
            "any",
            _account_type,
            "Seller or Vendor: what the other account type may not call is refused (and is a violation)",
        ),
        Switch(
            "host_region",
            "NA",
            _host_region,
            "NA, EU or FE: the region whose SP-API host this simulator plays (AWD answers only on NA's)",
        ),
        Switch("processing_delay", 0.2, _seconds, "seconds from createReport to a final status"),
        Switch(
            "processing_delays",
            [],
            _seconds_list,
            "[s, ...]: the next created reports take these delays in turn, then processing_delay",
        ),
        Switch("token_ttl", 3600.0, _seconds, "lifetime of newly issued access tokens"),
        Switch("document_url_ttl", 300.0, _seconds, "lifetime of newly issued document URLs"),
        Switch("no_charset", False, _bool, "omit the charset from document Content-Type"),
        Switch("invalid_grant", False, _bool, "LWA answers 400 invalid_grant"),
        Switch("invalid_client", False, _bool, "LWA answers 401 invalid_client"),
        Switch("expire_tokens", False, _bool, "true: every token issued so far expires now", action=True),
        Switch("rate_limit_header", True, _bool, "send x-amzn-RateLimit-Limit where Amazon may"),
        Switch(
            "reset_connection",
            {},
            _counters,
            "{operationId|lwa|document: n}: the next n requests get the connection closed, no answer",
        ),
        Switch(
            "hang",
            {},
            _counters,
            "{operationId|lwa|document: n}: the next n requests wait hang_seconds, then no answer",
        ),
        Switch(
            "slow_answer",
            {},
            _counters,
            "{operationId: n}: the next n requests are carried out (and recorded) at once, answered hang_seconds later",
        ),
        Switch("hang_seconds", 2.0, _seconds, "how long hang, slow_answer and stall_document keep the client waiting"),
        Switch(
            "break_document",
            {},
            _counters,
            "{reportType: n}: the next n downloads stop after part of the body and close",
        ),
        Switch(
            "stall_document",
            {},
            _counters,
            "{reportType: n}: the next n downloads send part of the body, then go silent",
        ),
        Switch(
            "truncate_document",
            {},
            _counters,
            "{reportType: n}: the next n downloads serve a gzip stream cut short (complete HTTP)",
        ),
        Switch(
            "empty_document",
            {},
            _counters,
            "{reportType: n}: the next n downloads answer 200 with zero bytes (still flagged GZIP)",
        ),
        Switch(
            "document_encoding",
            {},
            _encodings,
            "{reportType: plain|unflagged|double_gzip}: documents served not as their flag says",
        ),
        Switch(
            "expired_document_url",
            {},
            _counters,
            "{reportType: n}: the next n getReportDocument URLs have already expired",
        ),
        Switch(
            "insecure_document_url",
            False,
            _bool,
            "getReportDocument answers plain-http URLs on a host that is not loopback",
        ),
        Switch("stuck", {}, _counters, "{reportType: n}: the next n created reports never finish"),
        Switch("stuck_status", "IN_QUEUE", _stuck_status, "where stuck reports stay: IN_QUEUE or IN_PROGRESS"),
        Switch(
            "hold_reports",
            False,
            _bool,
            "true: every report stays IN_PROGRESS however long it has been processed; false again: each is done "
            "once its processing_delay has passed (a test holds several accounts' reports until all have asked)",
        ),
        Switch(
            "expire_page_token",
            {},
            _counters,
            "{operationId: n}: the next n page tokens presented are refused as expired",
        ),
        Switch(
            "refuse_next_page",
            {},
            _counters,
            "{operationId: n}: the next n next-page requests answer 400 InvalidInput, as Vendor Orders does at "
            "random mid-paging (the same request then succeeds)",
        ),
        Switch(
            "settlement_v1_removed",
            "2026-11-11",
            _iso_date,
            "YYYY-MM-DD: GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE is listed only for periods that ended before",
        ),
        Switch(
            "forecast_generated",
            "",
            _iso_date_or_empty,
            "YYYY-MM-DD: the day of the vendor forecast reports made from now on (empty: the Sunday on or "
            "before their creation; a Simulator starts with its anchor's Sunday)",
        ),
        Switch(
            "redirect",
            {},
            _counters,
            "{operationId|lwa: n}: the next n requests answer 307 to another host (localhost for 127.0.0.1)",
        ),
        Switch(
            "garbled_answer",
            {},
            _counters,
            "{operationId: n}: the next n answers that would succeed carry an HTML page instead (a proxy's)",
        ),
        Switch(
            "hollow_answer",
            {},
            _counters,
            "{operationId: n}: the next n answers that would succeed are an empty JSON object",
        ),
        Switch(
            "done_without_document",
            {},
            _counters,
            "{reportType: n}: the next n getReport answers of a DONE report name no reportDocumentId",
        ),
        Switch(
            "document_mutation",
            {},
            _mutations,
            "{reportType|Data Kiosk dataset: mutation}: documents made from now on are damaged (see mutations.py)",
        ),
    )
}


class Faults:
    """Thread-safe current values of the fault switches."""

    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._hooks: dict[str, list[Callable[[Any], None]]] = {}
        self._values: dict[str, Any] = {name: copy.deepcopy(s.default) for name, s in SWITCHES.items() if not s.action}
        self._baseline: dict[str, Any] = {}
        if initial:
            self.set(**initial)
        # What reset() returns to: the defaults plus whatever the simulator was constructed with.
        self._baseline = copy.deepcopy(self._values)

    def on(self, name: str, hook: Callable[[Any], None]) -> None:
        """Run ``hook(value)`` whenever switch ``name`` is set (used by action switches)."""
        self._switch(name)
        self._hooks.setdefault(name, []).append(hook)

    def set(self, **switches: Any) -> None:
        """Set switches by name; unknown names or bad values raise ValueError, changing nothing."""
        coerced: dict[str, Any] = {}
        for name, value in switches.items():
            try:
                coerced[name] = self._switch(name).coerce(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"fault {name}: {exc}") from None
        actions: list[tuple[str, Any]] = []
        with self._lock:
            for name, value in coerced.items():
                if SWITCHES[name].action:
                    actions.append((name, value))
                else:
                    self._values[name] = value
        for name, value in actions:
            for hook in self._hooks.get(name, []):
                hook(value)

    def get(self, name: str) -> Any:
        """The current value of a switch (a copy for mutable values)."""
        self._switch(name)
        with self._lock:
            return copy.deepcopy(self._values.get(name, SWITCHES[name].default))

    def take(self, name: str, key: str) -> bool:
        """Consume one unit of counter switch ``name`` for ``key`` (or for ``"*"``, any key); True if
        one was left."""
        with self._lock:
            counters: dict[str, int] = self._values[name]
            for candidate in (key, "*"):
                left = counters.get(candidate, 0)
                if left > 0:
                    counters[candidate] = left - 1
                    return True
            return False

    def pop(self, name: str) -> Any:
        """Take the first item of list switch ``name``; None when it is empty."""
        with self._lock:
            items: list[Any] = self._values[name]
            return items.pop(0) if items else None

    def reset(self) -> None:
        """Back to the values the simulator was constructed with."""
        with self._lock:
            self._values = copy.deepcopy(self._baseline)

    def snapshot(self) -> dict[str, Any]:
        """All stored switch values, JSON-serialisable."""
        with self._lock:
            return copy.deepcopy(self._values)

    @staticmethod
    def _switch(name: str) -> Switch:
        try:
            return SWITCHES[name]
        except KeyError:
            raise ValueError(f"unknown fault switch {name!r}; known: {', '.join(sorted(SWITCHES))}") from None
