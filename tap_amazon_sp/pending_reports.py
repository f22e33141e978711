"""The reports a stream requested and has not read yet, kept in its partition state beside the
bookmark: {"pending_reports": {window: {report_id, options, created}}}. A sync that stops before
reading them leaves them there, and the next one reads them instead of asking Amazon again: this is
the Ledger (slots.py) that inflight.Scheduler keeps them in."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from tap_amazon_sp.records import format_datetime
from tap_amazon_sp.slots import Slot, options_key

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

PENDING_REPORTS = "pending_reports"


class _StreamState(Protocol):
    """What the ledger needs of its stream: the state of a partition, and a way to send it."""

    def get_context_state(self, context: Context | None) -> dict[Any, Any]: ...

    def flush_state(self) -> None: ...


class PendingReports:
    """A stream's pending reports, one partition (marketplace) each; every change is sent in a STATE
    message right away."""

    def recall(self: _StreamState, slot: Slot) -> dict[str, Any] | None:
        """The report an earlier sync requested for this slot's window, if it is remembered."""
        pending = self.get_context_state({"marketplace_id": slot.partition}).get(PENDING_REPORTS) or {}
        found = pending.get(slot.key)
        return found if isinstance(found, dict) else None

    def remember(self: _StreamState, slot: Slot, report_id: str, created_at: datetime) -> None:
        """Note a report requested for this slot's window, in a STATE message right away."""
        state = self.get_context_state({"marketplace_id": slot.partition})
        pending = state.setdefault(PENDING_REPORTS, {})
        pending[slot.key] = {
            "report_id": report_id,
            "options": options_key(slot.request),
            "created": format_datetime(created_at),
        }
        self.flush_state()

    def forget(self: _StreamState, slot: Slot) -> None:
        """Drop this slot's report from state."""
        state = self.get_context_state({"marketplace_id": slot.partition})
        if drop_pending(state, slot.key):
            self.flush_state()

    def prune_pending(self: _StreamState, partition: str, keep: set[str]) -> None:
        """Forget remembered reports of windows this sync does not have (the window size changed)."""
        state = self.get_context_state({"marketplace_id": partition})
        stale = [key for key in state.get(PENDING_REPORTS) or {} if key not in keep]
        for key in stale:
            drop_pending(state, key)
        if stale:
            self.flush_state()


def drop_pending(state: dict[str, Any], key: str) -> bool:
    """Drop one window's report from a partition's state (and the key, once empty); whether it was there."""
    pending = state.get(PENDING_REPORTS)
    if not isinstance(pending, dict) or key not in pending:
        return False
    del pending[key]
    if not pending:
        del state[PENDING_REPORTS]
    return True
