"""JSON documents two ways: as Amazon sends them, and as the tap should emit them.

Written apart from the tap's own code, so that the ground truth does not repeat its mistakes.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

__all__ = ["snake_case", "to_record", "to_wire"]

# Amazon's camelCase keys, with runs of capitals kept together: "salesByAsinB2B" -> "sales_by_asin_b2b".
_SNAKE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(key: str) -> str:
    return _SNAKE.sub("_", key).lower()


def to_wire(o: Any) -> Any:
    """JSON-ready copy: Decimals become floats, as Amazon writes them as JSON numbers."""
    if isinstance(o, dict):
        return {k: to_wire(v) for k, v in o.items()}
    if isinstance(o, list):
        return [to_wire(v) for v in o]
    return float(o) if isinstance(o, Decimal) else o


def to_record(o: Any) -> Any:
    """What the tap should emit for a JSON value: snake-case keys; a number reads as Decimal of its JSON text."""
    if isinstance(o, dict):
        return {snake_case(k): to_record(v) for k, v in o.items()}
    if isinstance(o, list):
        return [to_record(v) for v in o]
    return Decimal(repr(float(o))) if isinstance(o, Decimal) else o
