"""Where each stream's source stands with Amazon: available, deprecated (removal date known) or removed.

A connector that keeps calling what Amazon removed fails silently: a stream that syncs nothing looks
exactly like a quiet week. So every stream says its source's lifecycle in `--discover` (the root
breadcrumb's `tap-amazon-sp.lifecycle`), in the README's streams table and in the log of every sync
that selects it. A removed stream is not selected by default; selected, it requests nothing and sends
its SCHEMA only, so targets keep its table (see `AmazonSPStream.sync`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

METADATA_KEY = "tap-amazon-sp.lifecycle"
# Amazon keeps a report listable for this long after it made it, removed report types included.
LISTING_DAYS = 90


@dataclass(frozen=True)
class Lifecycle:
    """A stream source's standing: since or until when, and which stream takes over."""

    status: Literal["available", "deprecated", "removed"] = "available"
    date: date | None = None  # deprecated: the day Amazon removes it; removed: the day it did
    successor: str = ""  # the stream that reads what this one did

    def __post_init__(self) -> None:
        if (self.status == "available") != (self.date is None and not self.successor):
            raise ValueError(f"a {self.status} lifecycle needs a date and a successor, and only then")

    @property
    def removed(self) -> bool:
        return self.status == "removed"

    def metadata(self) -> dict[str, Any]:
        """The value of the stream's `tap-amazon-sp.lifecycle` metadata."""
        if self.status == "available":
            return {"status": "available"}
        return {
            "status": self.status,
            "date": self.date.isoformat() if self.date else None,
            "successor": self.successor,
        }

    def describe(self) -> str:
        """One cell of the README's streams table."""
        if self.status == "available":
            return "available"
        if self.removed:
            return f"removed on {self.date}; use `{self.successor}`"
        return f"deprecated: Amazon removes it on {self.date}; use `{self.successor}`"

    def warning(self, stream: str, source: str, *, still_listed: bool = False) -> str | None:
        """The line a sync that selects the stream logs, once; None for an available source."""
        if self.status == "deprecated":
            return (
                f"{stream} is deprecated: Amazon removes its source ({source}) on {self.date}. "
                f"Its successor is the stream {self.successor}: select it before then."
            )
        if self.status != "removed":
            return None
        if still_listed:
            return (
                f"{stream} is removed: Amazon stopped making its reports ({source}) on {self.date} and "
                f"keeps those it made listed for {LISTING_DAYS} days; reading what it still lists. "
                f"Its successor is the stream {self.successor}."
            )
        return (
            f"{stream} is removed: Amazon removed its source ({source}) on {self.date}, so nothing is "
            f"requested and only its SCHEMA is sent (the table stays). Its successor is the stream "
            f"{self.successor}."
        )


AVAILABLE = Lifecycle()


def deprecated(until: str, successor: str) -> Lifecycle:
    """A source Amazon removes on `until` (ISO date); `successor` names the stream to move to."""
    return Lifecycle("deprecated", date.fromisoformat(until), successor)


def removed(on: str, successor: str) -> Lifecycle:
    """A source Amazon removed on `on` (ISO date); `successor` names the stream that replaces it."""
    return Lifecycle("removed", date.fromisoformat(on), successor)
