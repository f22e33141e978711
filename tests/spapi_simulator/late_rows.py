"""Rows Amazon adds late: an order that shows up in a window a sync has already read.

Amazon's reports are not final when a window closes (orders reach the All Orders report minutes to
hours late, FBA shipments up to a day, finances 48 hours, vendor analytics 72 hours). `late_row`
adds one row to a report of the simulator's dataset for the duration of a `with` block: reports
finished while it is in place carry it, and the dataset's expected records include it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from .data import Dataset
from .rendering import marketplace
from .report_families.flat import expected_record, filter_value
from .reports_data import FLAT_SPECS

__all__ = ["late_row"]


@contextmanager
def late_row(dataset: Dataset, report_type: str, marketplace_id: str, at: datetime) -> Iterator[dict[str, Any]]:
    """Add a copy of the report's first row, under a new first-column id, dated `at` by the report's date
    column; yields the record the tap should emit for it. The row is gone again after the block."""
    spec = FLAT_SPECS[report_type]
    if spec.filter_header is None:
        raise ValueError(f"{report_type} is a snapshot: no window for a late row")
    rows = dataset._flat_rows(report_type, marketplace(marketplace_id))
    row = dict(rows[0])
    first = spec.columns[0].header
    row[first] = f"LATE-{row[first]}"
    row[spec.filter_header] = at
    position = sum(1 for r in rows if filter_value(r, spec) <= at)
    rows.insert(position, row)
    try:
        yield expected_record(row, spec)
    finally:
        rows.remove(row)
