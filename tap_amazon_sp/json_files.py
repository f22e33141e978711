"""The JSON files a sync is given (state, catalog): read so that what is wrong is one line naming them."""

from __future__ import annotations

import json
from typing import Any

from tap_amazon_sp.errors import TapError


def load(text: str, label: str, error: type[TapError]) -> Any:
    """The JSON value in `text`; `error` naming `label` (e.g. "state state.json") if it is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"{label}: not valid JSON ({exc.msg}: line {exc.lineno} column {exc.colno}); is the file cut short?"
        ) from None


def kind(value: Any) -> str:
    """What a JSON value is, in words ("a list", "null")."""
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)
