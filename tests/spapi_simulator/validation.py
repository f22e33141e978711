"""Check a request against the operation table, the way Amazon's front end rejects bad input.

Every problem found here is both a contract violation (the tap must never send such a request)
and a reason to answer 400 InvalidInput (or 415 for a wrong body media type), as Amazon would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tap_amazon_sp.operations import Operation, Param

__all__ = ["Problem", "check_request", "parse_datetime"]

_INTEGER = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request."""

    reason: str
    status: int = 400


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 date-time with a UTC offset (or Z), else None.

    A bare date or a time without an offset is refused: Amazon would guess a zone, and a tap that
    sends one has lost track of which instant it means.
    """
    if "T" not in value and "t" not in value:
        return None
    text = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed


def _check_bounds(param: Param, count: int, what: str, name: str = "") -> str | None:
    name = name or param.name
    if param.min_items is not None and count < param.min_items:
        return f"{what} {name!r} has {count} items, at least {param.min_items} required"
    if param.max_items is not None and count > param.max_items:
        return f"{what} {name!r} has {count} items, at most {param.max_items} allowed"
    return None


def _check_enum(param: Param, values: list[str], what: str, name: str = "") -> str | None:
    name = name or param.name
    if param.enum:
        bad = [v for v in values if v not in param.enum]
        if bad:
            return f"{what} {name!r} has value(s) {bad!r} not in {list(param.enum)!r}"
    return None


def _check_integer(param: Param, number: int, what: str, name: str = "") -> str | None:
    name = name or param.name
    if param.minimum is not None and number < param.minimum:
        return f"{what} {name!r} is {number}, minimum {param.minimum}"
    if param.maximum is not None and number > param.maximum:
        return f"{what} {name!r} is {number}, maximum {param.maximum}"
    return None


def _check_query_value(param: Param, raw: str) -> str | None:
    what = "query parameter"
    if param.kind == "integer":
        if not _INTEGER.fullmatch(raw):
            return f"{what} {param.name!r} is not an integer: {raw!r}"
        return _check_integer(param, int(raw), what)
    if param.kind == "boolean":
        if raw not in ("true", "false"):
            return f"{what} {param.name!r} is not true/false: {raw!r}"
        return None
    if param.kind == "date-time":
        if parse_datetime(raw) is None:
            return f"{what} {param.name!r} is not an ISO 8601 date-time with offset: {raw!r}"
        return None
    if param.kind == "array":
        items = raw.split(",")
        if any(item == "" for item in items) and raw != "":
            return f"{what} {param.name!r} has an empty item: {raw!r}"
        values = [] if raw == "" else items
        return _check_bounds(param, len(values), what) or _check_enum(param, values, what)
    if param.kind == "object":
        return f"{what} {param.name!r} is an object and cannot travel in a query string"
    if raw == "":
        return f"{what} {param.name!r} is empty"
    return _check_enum(param, [raw], what)


_ITEM_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
}


def _check_body_value(param: Param, value: Any, name: str) -> list[str]:
    """What is wrong with one body field's value; `name` is its dotted path in the body."""
    what = "body field"
    if param.kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{what} {name!r} is not an integer: {value!r}"]
        reason = _check_integer(param, value, what, name)
        return [reason] if reason else []
    if param.kind == "boolean":
        return [] if isinstance(value, bool) else [f"{what} {name!r} is not a boolean: {value!r}"]
    if param.kind == "date-time":
        if not isinstance(value, str) or parse_datetime(value) is None:
            return [f"{what} {name!r} is not an ISO 8601 date-time with offset: {value!r}"]
        return []
    if param.kind == "array":
        kinds = _ITEM_TYPES[param.items]
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, kinds) for v in value):
            return [f"{what} {name!r} is not an array of {param.items}s: {value!r}"]
        reason = _check_bounds(param, len(value), what, name) or _check_enum(param, value, what, name)
        return [reason] if reason else []
    if param.kind == "object":
        if not isinstance(value, dict):
            return [f"{what} {name!r} is not an object: {value!r}"]
        return _check_fields(param.fields, value, f"{name}.") if param.fields else []
    if not isinstance(value, str):
        return [f"{what} {name!r} is not a string: {value!r}"]
    reason = _check_enum(param, [value], what, name)
    return [reason] if reason else []


def _check_fields(params: tuple[Param, ...], document: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Everything wrong with an object of the body (the body itself when `prefix` is empty)."""
    known = {p.name: p for p in params}
    reasons: list[str] = []
    for name, value in document.items():
        param = known.get(name)
        if param is None:
            reasons.append(f"unknown body field {prefix + name!r}")
            continue
        reasons += _check_body_value(param, value, prefix + name)
    for param in params:
        if param.required and param.name not in document:
            reasons.append(f"missing required body field {prefix + param.name!r}")
    return reasons


def _check_query(op: Operation, query: Mapping[str, list[str]]) -> list[Problem]:
    problems: list[Problem] = []
    params = {p.name: p for p in op.params if p.location == "query"}
    for name, values in query.items():
        param = params.get(name)
        if param is None:
            problems.append(Problem(f"unknown query parameter {name!r}"))
            continue
        if len(values) > 1:
            # Amazon takes arrays comma-separated; a repeated name means the client used the
            # other convention and Amazon would see only one of the values.
            problems.append(Problem(f"query parameter {name!r} given {len(values)} times"))
            continue
        reason = _check_query_value(param, values[0])
        if reason:
            problems.append(Problem(reason))
    for param in params.values():
        if param.required and param.name not in query:
            problems.append(Problem(f"missing required query parameter {param.name!r}"))
    return problems


def _check_path(op: Operation, path_params: Mapping[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for param in op.params:
        if param.location != "path":
            continue
        value = path_params.get(param.name, "")
        if value == "" or value.strip() != value:
            problems.append(Problem(f"path parameter {param.name!r} is malformed: {value!r}"))
    return problems


def _check_body(op: Operation, body: bytes, content_type: str | None) -> list[Problem]:
    params = {p.name: p for p in op.params if p.location == "body"}
    if not params:
        if body.strip():
            return [Problem(f"{op.name} takes no request body, got {len(body)} bytes")]
        return []
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        return [Problem(f"request Content-Type is {content_type!r}, expected application/json", 415)]
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return [Problem(f"request body is not valid JSON: {exc}")]
    if not isinstance(document, dict):
        return [Problem("request body is not a JSON object")]
    return [Problem(reason) for reason in _check_fields(tuple(params.values()), document)]


def _get_reports_rules(query: Mapping[str, list[str]]) -> list[Problem]:
    if "nextToken" in query and len(query) > 1:
        others = sorted(k for k in query if k != "nextToken")
        return [Problem(f"nextToken must be the only parameter, also got {others!r}")]
    if "nextToken" not in query and "reportTypes" not in query:
        return [Problem("either reportTypes or nextToken is required")]
    return []


# Rules the table cannot express, by operation name.
_OPERATION_RULES: dict[str, Callable[[Mapping[str, list[str]]], list[Problem]]] = {
    "getReports": _get_reports_rules,
}


def check_request(
    op: Operation,
    path_params: Mapping[str, str],
    query: Mapping[str, list[str]],
    body: bytes,
    content_type: str | None,
) -> list[Problem]:
    """Everything wrong with one request to ``op``; empty when it is well-formed."""
    problems = _check_path(op, path_params) + _check_query(op, query)
    problems += _check_body(op, body, content_type)
    rule = _OPERATION_RULES.get(op.name)
    if rule is not None:
        problems += rule(query)
    return problems
