"""The record form the tap is expected to give Amazon's JSON, for the REST APIs' ground truth.

Written apart from the tap's own code: keys in snake_case, Orders' lossless decimal strings
(`amount`) and Finances' JSON numbers as Decimals.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

__all__ = ["tap_form"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def tap_form(value: Any) -> Any:
    """`value` with snake_case keys and its amounts as Decimals, recursively."""
    if isinstance(value, dict):
        return {
            _CAMEL.sub("_", k).lower(): (Decimal(v) if k == "amount" and isinstance(v, str) else tap_form(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [tap_form(v) for v in value]
    if isinstance(value, float):
        return Decimal(repr(value))
    return value
