"""How a report's rows become a stream's records: the columns every record of a report carries (its
marketplace, window and report id), buyer-identifying values nulled without include_pii, and one
log line per report read."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from tap_amazon_sp.progress import duration
from tap_amazon_sp.records import EXTRA_COLUMNS, UNPARSED_VALUES, format_datetime, null_pii_like

if TYPE_CHECKING:
    from tap_amazon_sp.catalogue import ReportSpec
    from tap_amazon_sp.client import Runtime
    from tap_amazon_sp.formats import DocumentFormat
    from tap_amazon_sp.reports import ReportResult
    from tap_amazon_sp.settings import Settings


class _ReportStream(Protocol):
    """What reading a report needs of its stream."""

    name: str
    spec: ReportSpec
    format: DocumentFormat
    records_emitted: int

    @property
    def logger(self) -> logging.Logger: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def runtime(self) -> Runtime: ...

    def _document_records(self, result: ReportResult, marketplace_id: str) -> Iterator[dict[str, Any]]: ...


class ReportRecords:
    """A report stream's records, read from one report's document."""

    def _emit(
        self: _ReportStream,
        result: ReportResult,
        marketplace_id: str,
        start: datetime | None,
        end: datetime,
        *,
        planned: bool = True,
        last: bool = True,
    ) -> Iterator[dict[str, Any]]:
        """A report's records. `planned`: a report of the sync's plan (the progress line counts it);
        `last`: the window's last report (the sync's summary counts windows)."""
        began = time.monotonic()
        window = f"{format_datetime(start)}..{format_datetime(end)}" if start else "snapshot"
        rows = 0
        # Every record this yields is written before the next is asked for: at the end, the records
        # written since here are those of this window that were emitted (a regional report's other
        # marketplaces, for one, are not).
        before = self.records_emitted
        if result.status == "DONE" and result.document_id:
            added = {
                "marketplace_id": marketplace_id,
                "data_start_time": format_datetime(start) if start else None,
                "data_end_time": format_datetime(end),
                "report_id": result.report_id,
                **{column: result.request.options.get(option) for column, option in self.spec.option_columns},
            }
            # Without include_pii, buyer-identifying values are nulled here: every format's records pass
            # this point before any output path (the direct line writer of flat files included).
            hide_pii = not self.settings.include_pii
            withheld = self.spec.pii_columns if hide_pii else ()
            nested = self.format.open_objects if hide_pii else ()
            for record in self._document_records(result, marketplace_id):
                record.update(added)
                # Always present (null when the row needs neither), so every record fits one schema.
                extra = record.setdefault(EXTRA_COLUMNS, None)
                record.setdefault(UNPARSED_VALUES, None)
                # PII columns are text (a test holds the catalogue to it): never in unparsed_values.
                for name in withheld:
                    record[name] = None
                if extra and hide_pii:
                    record[EXTRA_COLUMNS] = null_pii_like(extra)
                for name in nested:
                    record[name] = null_pii_like(record.get(name))
                rows += 1
                yield record
        # Listed reports (settlements) are not in the sync's plan: they are not counted in its "k of N".
        progress = self.runtime.client.progress.report_read() if planned else ""
        self.logger.info(
            "%s %s %s: report %s %s%s, %d rows in the document, %d emitted, %s%s",
            self.name,
            marketplace_id,
            window,
            result.report_id,
            result.status,
            " (no data for this window)" if result.status == "CANCELLED" else "",
            rows,
            self.records_emitted - before,
            duration(result.seconds + time.monotonic() - began),
            f"; {progress}" if progress else "",
        )
        if last:
            self.runtime.client.progress.window(self.name)

    def _document_records(self: _ReportStream, result: ReportResult, marketplace_id: str) -> Iterator[dict[str, Any]]:
        assert result.document_id is not None
        describe = f"{self.spec.report_type} report {result.report_id}"
        document = self.runtime.engine.document(result.document_id, describe=describe)
        yield from self.format.read(
            document, marketplace_id=marketplace_id, report_id=result.report_id, logger=self.logger
        )
