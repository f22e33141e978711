"""Every RECORD a run printed checked against the SCHEMA message of its stream, as a target would."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from tests.support.tap_runner import TapRun

# RFC 3339, as JSON Schema's date-time means it: a date, a time and an offset (Z or +hh:mm).
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    # jsonschema checks date-time only with an optional package; this is the same rule, without it.
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.fullmatch(value):
        return False
    date.fromisoformat(value)
    return True


def schema_violations(run: TapRun) -> list[str]:
    """Each RECORD that does not match its stream's SCHEMA (the last one before it): stream, key path, why."""
    schemas: dict[str, Draft7Validator] = {}
    problems: list[str] = []
    for message in run.messages:
        if message["type"] == "SCHEMA":
            schemas[message["stream"]] = Draft7Validator(message["schema"], format_checker=FORMATS)
        elif message["type"] == "RECORD":
            validator = schemas.get(message["stream"])
            if validator is None:
                problems.append(f"{message['stream']}: a RECORD before any SCHEMA")
                continue
            for error in validator.iter_errors(message["record"]):
                path = "".join(f"[{p!r}]" for p in error.absolute_path)
                problems.append(f"{message['stream']}{path}: {error.message}")
    return problems


def assert_records_match_schemas(run: TapRun) -> list[dict[str, Any]]:
    """Fail naming every RECORD that violates its SCHEMA; return the records, for further checks."""
    problems = schema_violations(run)
    assert not problems, "\n".join(problems[:20])
    return run.records()
