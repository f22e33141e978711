"""The JSON files a sync is given (config, state, catalog): read so that what is wrong is one line naming them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tap_amazon_sp.errors import ConfigFileError, TapError


def load(text: str, label: str, error: type[TapError], **options: Any) -> Any:
    """The JSON value in `text`; `error` naming `label` (e.g. "state state.json") if it is not JSON.
    `options` go to `json.loads`."""
    try:
        return json.loads(text, **options)
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


def check_config_file(path: str) -> None:
    """Raise ConfigFileError naming `path` unless it holds a JSON object. Nothing of the file is
    quoted: it holds the secrets."""
    label = f"config {path}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigFileError(f"{label}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"{label}: not UTF-8 text") from None
    try:
        # NaN and Infinity are no JSON, and the SDK's reader refuses them.
        value = load(text, label, ConfigFileError, parse_constant=_no_constant)
    except ValueError as exc:
        raise ConfigFileError(f"{label}: not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise ConfigFileError(f"{label}: {kind(value)} instead of an object")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
