"""The simulator's report data: typed ground truth, rendered per marketplace into report documents.

Every report is generated as typed rows first (str, int, Decimal, bool, aware datetime, date, None).
Documents are rendered from those rows, and expected records are converted from the same rows, so the
expected side never depends on parsing the simulator's own text. Each report family generates its rows
in its own module of `report_families` (vendor analytics in `vendor_data`); `Dataset` is the one way in,
for the server and the tests alike.

Determinism: each (seed, rows, report type, marketplace) gets its own random.Random seeded with a string,
so adding a report type or changing call order never changes another report's data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from .json_forms import snake_case, to_record, to_wire
from .rendering import (
    JSON_CONTENT_TYPE,
    MARKETPLACES,
    XML_CONTENT_TYPE,
    Document,
    Marketplace,
    flat_content_type,
    flat_document,
    flat_lines,
    marketplace,
)
from .report_families.browse_tree import Node, browse_tree, browse_tree_document, node_record, select_nodes
from .report_families.catalog import Product, make_catalog
from .report_families.common import DATA_END, DATA_START, GAP_END, GAP_START, Row, aware, in_range, midnight
from .report_families.fba_inventory import inventory_rows
from .report_families.fba_shipments import fba_return_rows, reimbursement_rows, shipment_rows
from .report_families.flat import (
    cell_renderers,
    document_header,
    encoded_chunks,
    expected_record,
    filter_value,
    render_row,
)
from .report_families.generic import generic_rows
from .report_families.ledger import ledger_rows
from .report_families.listings import listing_rows
from .report_families.orders import group_orders, iter_all_orders, order_record, order_xml, xml_orders_document
from .report_families.promotions import OPTION_DATES, SELLER_PERFORMANCE, PromotionData
from .report_families.returns import return_rows
from .report_families.sales_traffic import StDay, sales_and_traffic_report, st_days
from .report_families.settlements import (
    SettlementReport,
    decode_settlement_id,
    is_v2_settlement,
    listed_settlements,
    settlement_renderers,
    settlement_rows,
    settlement_v2_rows,
)
from .reports_data import (
    ALL_ORDERS_BY_LAST_UPDATE,
    ALL_ORDERS_BY_ORDER_DATE,
    ALL_REPORT_TYPES,
    BROWSE_TREE,
    FBA_RETURNS,
    FLAT_SPECS,
    GENERIC_SPECS,
    INVENTORY,
    LEDGER,
    LIST_ONLY_TYPES,
    LISTINGS,
    REGIONAL_TYPES,
    REIMBURSEMENTS,
    RETURNS,
    SALES_AND_TRAFFIC,
    SALES_AND_TRAFFIC_BY_DATE,
    SETTLEMENT,
    SETTLEMENT_V2,
    SHIPMENTS,
    SNAPSHOT_TYPES,
    XML_ORDERS,
    ReportSpec,
)
from .vendor_data import VENDOR_JSON_REPORTS, VENDOR_STREAMS, VendorData

__all__ = [
    "DATA_END",
    "DATA_START",
    "GAP_END",
    "GAP_START",
    "LIST_ONLY",
    "MARKETPLACES",
    "REPORT_TYPES",
    "SNAPSHOT",
    "Dataset",
    "Document",
    "SettlementReport",
    "snake_case",
]

# JSON reports of their own: coupons and promotions (windows in reportOptions), account health.
SELLER_JSON: frozenset[str] = frozenset({*OPTION_DATES, SELLER_PERFORMANCE})
REPORT_TYPES: frozenset[str] = ALL_REPORT_TYPES | SELLER_JSON
LIST_ONLY: frozenset[str] = LIST_ONLY_TYPES
SNAPSHOT: frozenset[str] = SNAPSHOT_TYPES

# The flat-file report types with a story of their own; any other flat type in GENERIC_SPECS is
# made from its column table (the All Orders reports read the one order book, in Dataset).
_Generator = Callable[[random.Random, Marketplace, list[Product], int], list[Row]]
_GENERATORS: dict[str, _Generator] = {
    SHIPMENTS: shipment_rows,
    RETURNS: return_rows,
    LISTINGS: listing_rows,
    INVENTORY: inventory_rows,
    FBA_RETURNS: fba_return_rows,
    REIMBURSEMENTS: reimbursement_rows,
    LEDGER: ledger_rows,
}


class Dataset:
    """All report data the simulator serves, for one seed. Cheap to create; rows are built on first use."""

    def __init__(self, seed: int = 1, rows: int = 60) -> None:
        self.seed = seed
        self.rows = rows
        self._catalogs: dict[str, list[Product]] = {}
        self._flat: dict[tuple[str, str], list[Row]] = {}
        self._st: dict[str, list[StDay]] = {}
        self._trees: dict[str, list[Node]] = {}
        self._vendor = VendorData(seed, rows, lambda d: in_range(midnight(d)))
        self._promotions = PromotionData(seed)

    def _rng(self, *parts: str) -> random.Random:
        return random.Random(":".join([str(self.seed), str(self.rows), *parts]))

    def _catalog(self, m: Marketplace) -> list[Product]:
        if m.id not in self._catalogs:
            self._catalogs[m.id] = make_catalog(self._rng("catalog", m.id), m, max(self.rows, 12))
        return self._catalogs[m.id]

    def _all_orders(self, m: Marketplace, rows: int) -> Iterator[Row]:
        # Both All Orders reports read one order book, as Amazon's do.
        return iter_all_orders(self._rng("ALL_ORDERS", m.id, str(rows)), m, self._catalog(m), rows)

    def _flat_rows(self, report_type: str, m: Marketplace) -> list[Row]:
        key = (report_type, m.id)
        if key not in self._flat:
            if report_type in (ALL_ORDERS_BY_ORDER_DATE, ALL_ORDERS_BY_LAST_UPDATE):
                rows = list(self._all_orders(m, self.rows))
                if report_type == ALL_ORDERS_BY_LAST_UPDATE:
                    rows.sort(key=lambda r: r["last-updated-date"])
            elif report_type in GENERIC_SPECS:
                rows = generic_rows(
                    self._rng(report_type, m.id), m, self._catalog(m), self.rows, GENERIC_SPECS[report_type]
                )
            else:
                rows = _GENERATORS[report_type](self._rng(report_type, m.id), m, self._catalog(m), self.rows)
            self._flat[key] = rows
        return self._flat[key]

    def _windowed(self, report_type: str, m: Marketplace, start: datetime | None, end: datetime | None) -> list[Row]:
        spec = FLAT_SPECS[report_type]
        rows = self._flat_rows(report_type, m)
        if spec.filter_header is None:
            return rows
        lo, hi = aware(start), aware(end)
        return [
            r
            for r in rows
            if (lo is None or lo <= filter_value(r, spec)) and (hi is None or filter_value(r, spec) < hi)
        ]

    def _st_days(self, m: Marketplace) -> list[StDay]:
        if m.id not in self._st:
            self._st[m.id] = st_days(self._rng(SALES_AND_TRAFFIC, m.id), m, self._catalog(m), self.rows)
        return self._st[m.id]

    def _tree(self, m: Marketplace) -> list[Node]:
        if m.id not in self._trees:
            self._trees[m.id] = browse_tree(self._rng(BROWSE_TREE, m.id), m, self.rows)
        return self._trees[m.id]

    def _sales_and_traffic(
        self, m: Marketplace, start: datetime | None, end: datetime | None, options: dict[str, str]
    ) -> dict[str, Any] | None:
        return sales_and_traffic_report(self._st_days(m), m, start, end, options)

    # --- public API -------------------------------------------------------------------------------

    def document(
        self,
        report_type: str,
        marketplace_id: str,
        start: datetime | None,
        end: datetime | None,
        options: dict[str, str] | None = None,
        generated: date | None = None,
    ) -> Document | None:
        """The report's document, or None when the window holds no data (Amazon then CANCELs the report).

        `generated`: the day of Amazon's latest vendor forecast (the Sunday before `end` if not given).
        """
        if report_type in VENDOR_JSON_REPORTS:
            m, lo, hi = marketplace(marketplace_id), aware(start) or DATA_START, aware(end) or DATA_END
            vendor = self._vendor.report(report_type, m, lo, hi, options or {}, generated)
            if vendor is None:
                return None
            text = json.dumps(self._vendor.document_json(vendor), ensure_ascii=False, separators=(",", ":"))
            return Document(text.encode("utf-8"), JSON_CONTENT_TYPE)
        if report_type in SELLER_JSON:
            return _json_document(self._seller_json(report_type, marketplace(marketplace_id), options or {}))
        if report_type in LIST_ONLY:
            raise ValueError(f"{report_type} cannot be requested; use settlement_document")
        if report_type not in REPORT_TYPES:
            raise ValueError(f"unknown report type {report_type!r}")
        m = marketplace(marketplace_id)
        options = options or {}
        if report_type == SALES_AND_TRAFFIC:
            report = self._sales_and_traffic(m, start, end, options)
            if report is None:
                return None
            text = json.dumps(to_wire(report), ensure_ascii=False, separators=(",", ":"))
            return Document(text.encode("utf-8"), JSON_CONTENT_TYPE)
        if report_type in XML_ORDERS:
            return self.served_document(report_type, [m.id], start, end, only=m)
        if report_type == BROWSE_TREE:
            nodes = select_nodes(self._tree(m), options)
            return browse_tree_document(nodes) if nodes else None
        spec = FLAT_SPECS[report_type]
        rows = self._windowed(report_type, m, start, end)
        if not rows:
            return None
        renderers = cell_renderers(spec, m)
        return flat_document(document_header(spec, m), [render_row(r, renderers) for r in rows], m)

    def _seller_json(self, report_type: str, m: Marketplace, options: dict[str, str]) -> dict[str, Any]:
        if report_type == SELLER_PERFORMANCE:
            return self._promotions.account_health(m)
        return self._promotions.document(report_type, m, options)

    def promotions_started(
        self, report_type: str, marketplace_id: str, first: datetime, last: datetime
    ) -> list[dict[str, Any]]:
        """The records of the coupons (promotions) that started in [first, last], in document order."""
        rows = self._promotions.selected(report_type, marketplace(marketplace_id), first, last)
        return [_own_marketplace(row) for row in to_record(rows)]

    def served_document(
        self,
        report_type: str,
        marketplace_ids: list[str],
        start: datetime | None,
        end: datetime | None,
        options: dict[str, str] | None = None,
        *,
        only: Marketplace | None = None,
        generated: date | None = None,
    ) -> Document | None:
        """The document a report created for these marketplaces gets, as Amazon builds it.

        A regional report type holds every marketplace of the host whatever the request named
        (`document` gives one marketplace's part of it, `only`); any other covers the first marketplace.
        """
        if report_type not in REGIONAL_TYPES:
            return self.document(report_type, marketplace_ids[0], start, end, options, generated)
        m = marketplace(marketplace_ids[0])
        mates = [only] if only else _region_mates(m)
        if report_type in XML_ORDERS:
            flat = FLAT_SPECS[XML_ORDERS[report_type]]
            orders = [
                (filter_value(items[0], flat), order_xml(items, mate))
                for mate in mates
                for items in group_orders(self._windowed(flat.report_type, mate, start, end))
            ]
            return xml_orders_document(orders) if orders else None
        spec = FLAT_SPECS[report_type]
        rendered: list[tuple[datetime, list[str]]] = []
        for mate in mates:
            renderers = cell_renderers(spec, mate)
            rows = self._windowed(spec.report_type, mate, start, end)
            rendered.extend((filter_value(r, spec), render_row(r, renderers)) for r in rows)
        if not rendered:
            return None
        rendered.sort(key=lambda pair: pair[0])  # stable: each marketplace keeps its own order
        return flat_document(document_header(spec, m), [cells for _at, cells in rendered], m)

    def expected_records(
        self,
        report_type: str,
        marketplace_id: str,
        start: datetime | None,
        end: datetime | None,
        options: dict[str, str] | None = None,
        generated: date | None = None,
    ) -> list[dict[str, Any]]:
        """Records the tap should emit for this report, in document order, without the fields the tap adds.

        report_type may also be GET_SALES_AND_TRAFFIC_REPORT_BY_DATE (the by-date entries).
        """
        m = marketplace(marketplace_id)
        options = options or {}
        if report_type.startswith(SELLER_PERFORMANCE):
            document = self._promotions.account_health(m)
            part = "accountStatuses" if report_type.endswith("_ACCOUNT_STATUSES") else "performanceMetrics"
            return [_own_marketplace(row) for row in to_record(document[part])]
        if report_type in VENDOR_STREAMS:
            lo, hi = aware(start) or DATA_START, aware(end) or DATA_END
            return self._vendor.expected_records(report_type, m, lo, hi, options, generated)
        if report_type in (SALES_AND_TRAFFIC, SALES_AND_TRAFFIC_BY_DATE):
            report = self._sales_and_traffic(m, start, end, options)
            if report is None:
                return []
            part = "salesAndTrafficByDate" if report_type == SALES_AND_TRAFFIC_BY_DATE else "salesAndTrafficByAsin"
            return list(to_record(report[part]))
        if report_type == BROWSE_TREE:
            return [node_record(n) for n in select_nodes(self._tree(m), options)]
        if report_type in XML_ORDERS:
            flat = FLAT_SPECS[XML_ORDERS[report_type]]
            return [order_record(items) for items in group_orders(self._windowed(flat.report_type, m, start, end))]
        if report_type in LIST_ONLY:
            raise ValueError(f"{report_type}: use expected_settlement_records")
        if report_type not in FLAT_SPECS:
            raise ValueError(f"unknown report type {report_type!r}")
        spec = FLAT_SPECS[report_type]
        return [expected_record(r, spec) for r in self._windowed(report_type, m, start, end)]

    def settlement_reports(
        self, marketplace_id: str, now: datetime, report_type: str = SETTLEMENT
    ) -> list[SettlementReport]:
        """The DONE settlement reports created in the 84 days before now, oldest first: V1 per
        marketplace, V2 per currency group (only for a group's home marketplace)."""
        return listed_settlements(marketplace_id, now, report_type)

    def _settlement(self, report_id: str) -> tuple[Marketplace, ReportSpec, list[Row]]:
        v2 = is_v2_settlement(report_id)
        report_type = SETTLEMENT_V2 if v2 else SETTLEMENT
        report = decode_settlement_id(report_id, v2=v2)
        m = MARKETPLACES[report.marketplace_id]
        key = (report_type + ":" + report_id, m.id)
        if key not in self._flat:
            generate = settlement_v2_rows if v2 else settlement_rows
            self._flat[key] = generate(self._rng(report_type, m.id, report_id), m, self._catalog(m), report, self.rows)
        return m, FLAT_SPECS[report_type], self._flat[key]

    def settlement_document(self, report_id: str) -> Document:
        m, spec, rows = self._settlement(report_id)
        renderers = settlement_renderers(spec, m)
        return flat_document(spec.headers, [render_row(r, renderers) for r in rows], m)

    def expected_settlement_records(self, report_id: str) -> list[dict[str, Any]]:
        """The records of one settlement, in document order; the first row is the summary."""
        _, spec, rows = self._settlement(report_id)
        return [{**expected_record(r, spec), "is_summary": i == 0} for i, r in enumerate(rows)]

    def big_document(self, report_type: str, marketplace_id: str, rows: int) -> Iterator[bytes]:
        """An All Orders (by order date) document with `rows` rows, produced chunk by chunk for benchmarks.

        With rows == self.rows the bytes equal document(report_type, marketplace_id, None, None).body.
        """
        if report_type != ALL_ORDERS_BY_ORDER_DATE:
            raise ValueError(f"big_document only makes {ALL_ORDERS_BY_ORDER_DATE}")
        m = marketplace(marketplace_id)
        spec = FLAT_SPECS[report_type]
        renderers = cell_renderers(spec, m)
        yield flat_lines(spec.headers, m).encode(m.codec)
        yield from encoded_chunks((flat_lines(render_row(r, renderers), m) for r in self._all_orders(m, rows)), m.codec)


def _region_mates(m: Marketplace) -> list[Marketplace]:
    """The marketplaces whose orders share m's regional documents.

    The simulator keeps JP's (cp932) order book apart from AU's and SG's (UTF-8): one document has one
    charset, and whether Amazon's FE report merges them is not known.
    """
    return [x for x in MARKETPLACES.values() if x.region == m.region and x.codec == m.codec]


def content_type_of(report_type: str, marketplace_id: str) -> str:
    """The Content-Type a document of this report type gets in this marketplace."""
    if report_type == SALES_AND_TRAFFIC or report_type in VENDOR_JSON_REPORTS or report_type in SELLER_JSON:
        return JSON_CONTENT_TYPE
    if report_type == BROWSE_TREE or report_type in XML_ORDERS:
        return XML_CONTENT_TYPE
    return flat_content_type(marketplace(marketplace_id))


def _json_document(body: dict[str, Any]) -> Document:
    text = json.dumps(to_wire(body), ensure_ascii=False, separators=(",", ":"))
    return Document(text.encode("utf-8"), JSON_CONTENT_TYPE)


def _own_marketplace(record: dict[str, Any]) -> dict[str, Any]:
    """A row without its own marketplaceId: the tap's `marketplace_id` (the partition's) takes its place."""
    return {k: v for k, v in record.items() if k != "marketplace_id"}
