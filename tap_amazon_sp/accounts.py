"""Which selling account a record comes from: the `account_id` column of every stream, first in its key.

Several accounts (one per region, sellers and vendors side by side) load into the same tables, and
two of them can sell the same SKU in the same marketplace on the same day: only the account tells
their rows apart. Amazon's API does not say which account a refresh token belongs to (the Sellers
API's participations and account name no seller id), so the config names it (`account_id`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ACCOUNT = "account_id"
ACCOUNT_PROPERTY: dict[str, Any] = {
    "type": ["string"],
    "description": "The selling account the record comes from: the `account_id` setting (empty when not set).",
}


def labelled_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` with the account column first among its properties."""
    properties = {name: prop for name, prop in schema.get("properties", {}).items() if name != ACCOUNT}
    return {**schema, "properties": {ACCOUNT: dict(ACCOUNT_PROPERTY), **properties}}


def labelled_keys(keys: Iterable[str]) -> list[str]:
    """A stream's primary key, the account first: each account's rows are its own."""
    return [ACCOUNT, *(key for key in keys if key != ACCOUNT)]
