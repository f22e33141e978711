"""Data Kiosk streams: Seller datasets read as GraphQL queries (`datakiosk.DataKioskEngine`).

Each stream declares its dataset (the schema's root field), the query field and its arguments, and
the fields it selects, once: the same declaration is the GraphQL selection sent and the stream's
JSON schema, so the two cannot drift apart. Every stream is per marketplace and windowed in whole
days (`windows.py`), one query per window; a query's text names the marketplace in its arguments only.

- `data_kiosk_economics`: Economics 2024-03-15 per day and MSKU (each row names its child ASIN,
  its MSKU and FNSKU): sales, fees, ads, costs and net proceeds, typed. Fees post late, so the last
  days before the bookmark are read again on every sync. It needs the Brand Analytics role (createQuery)
  and Selling Partner Insights (the dataset): without them the stream stops in one line, the others go on.
- `data_kiosk_sales_and_traffic_by_date`: salesAndTraffic 2024-04-24 per day.
- `data_kiosk_sales_and_traffic_by_asin`: salesAndTraffic 2024-04-24 per child ASIN; Amazon totals a
  query's whole range per ASIN, so each query is one day, and a day is read once it has settled.

Days are "against marketplace local time" in Amazon's datasets; windows are UTC dates that end at
least 12 hours before now, so the last day asked for is over in every marketplace's time zone.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from tap_amazon_sp.client import AmazonSPStream
from tap_amazon_sp.datakiosk import KioskQuery, Page, QueryFailed, RoleMissing, compact
from tap_amazon_sp.errors import DocumentError
from tap_amazon_sp.formats import LEFTOVER_PROPERTIES, DocumentFormat, dataset_format
from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.progress import duration
from tap_amazon_sp.quota import MANY_REPORTS
from tap_amazon_sp.records import format_datetime, snake
from tap_amazon_sp.state_input import QUERIES
from tap_amazon_sp.windows import Align, LookBack, SyncRange, WindowPlan, last_day

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# A field and its kind: a GraphQL scalar's name, an object's fields, or a list of objects (a one-item
# list of their fields).
Fields = tuple[tuple[str, Any], ...]
Kind = Any
_SCALARS: dict[str, dict[str, Any]] = {
    "String": {"type": ["string", "null"]},
    "Float": {"type": ["number", "null"]},
    "Long": {"type": ["integer", "null"]},
    "Date": {"type": ["string", "null"], "format": "date"},
}
STATE_KEY = QUERIES


def selection(fields: Fields) -> str:
    """The GraphQL selection of `fields`: `{a b{c d}}`."""
    parts = []
    for name, kind in fields:
        if isinstance(kind, str):
            parts.append(name)
        else:
            parts.append(name + selection(kind[0] if isinstance(kind, list) else kind))
    return "{" + " ".join(parts) + "}"


def properties(fields: Fields) -> dict[str, Any]:
    """The JSON schema properties of `fields`, snake-cased, every one nullable."""
    found: dict[str, Any] = {}
    for name, kind in fields:
        if isinstance(kind, str):
            found[snake(name)] = dict(_SCALARS[kind])
        elif isinstance(kind, list):
            item = {"type": ["object", "null"], "properties": properties(kind[0])}
            found[snake(name)] = {"type": ["array", "null"], "items": item}
        else:
            found[snake(name)] = {"type": ["object", "null"], "properties": properties(kind)}
    return found


def _named(kind: Kind, names: str) -> Fields:
    return tuple((name, kind) for name in names.split())


def _with_b2b(kind: Kind, names: str) -> Fields:
    """Each field and its `B2B` twin (filled for business sellers only)."""
    return tuple(pair for name in names.split() for pair in ((name, kind), (name + "B2B", kind)))


AMOUNT: Fields = (("amount", "Float"), ("currencyCode", "String"))
DETAIL: Fields = (
    *_named(AMOUNT, "amount amountPerUnit amountPerUnitDelta promotionAmount"),
    ("quantity", "Float"),
    *_named(AMOUNT, "taxAmount totalAmount"),
)
ECONOMICS: Fields = (
    *_named("Date", "startDate endDate"),
    *_named("String", "marketplaceId parentAsin childAsin msku fnsku"),
    (
        "sales",
        (
            *_named(AMOUNT, "averageSellingPrice netProductSales"),
            ("netUnitsSold", "Long"),
            *_named(AMOUNT, "orderedProductSales refundedProductSales"),
            *_named("Long", "unitsOrdered unitsRefunded"),
        ),
    ),
    (
        "fees",
        [
            (
                ("feeTypeName", "String"),
                (
                    "charges",
                    [(("identifier", "String"), *_named("Date", "startDate endDate"), ("aggregatedDetail", DETAIL))],
                ),
            )
        ],
    ),
    ("ads", [(("adTypeName", "String"), ("charge", DETAIL))]),
    (
        "cost",
        (
            ("costOfGoodsSold", AMOUNT),
            ("fbaCost", (("shippingToAmazonCost", AMOUNT),)),
            ("mfnCost", _named(AMOUNT, "fulfillmentCost storageCost")),
            ("miscellaneousCost", AMOUNT),
        ),
    ),
    ("netProceeds", _named(AMOUNT, "perUnit total")),
)
_SALES_COMMON = "orderedProductSales shippedProductSales"
_COUNTS_COMMON = "ordersShipped totalOrderItems unitsOrdered unitsRefunded unitsShipped"
BY_DATE: Fields = (
    *_named("Date", "startDate endDate"),
    ("marketplaceId", "String"),
    (
        "sales",
        (
            *_with_b2b(AMOUNT, f"averageSalesPerOrderItem averageSellingPrice claimsAmount {_SALES_COMMON}"),
            *_with_b2b("Float", "averageUnitsPerOrderItem refundRate"),
            *_with_b2b("Long", f"claimsGranted {_COUNTS_COMMON}"),
        ),
    ),
    (
        "traffic",
        (
            ("averageOfferCount", "Long"),
            ("averageParentItems", "Long"),
            *_with_b2b(
                "Long",
                "browserPageViews browserSessions feedbackReceived mobileAppPageViews mobileAppSessions "
                "negativeFeedbackReceived pageViews sessions",
            ),
            *_with_b2b(
                "Float",
                "buyBoxPercentage orderItemSessionPercentage receivedNegativeFeedbackRate unitSessionPercentage",
            ),
        ),
    ),
)
BY_ASIN: Fields = (
    *_named("Date", "startDate endDate"),
    *_named("String", "marketplaceId parentAsin childAsin"),
    (
        "sales",
        (
            *_with_b2b(AMOUNT, _SALES_COMMON),
            *_with_b2b("Float", "refundRate"),
            *_with_b2b("Long", _COUNTS_COMMON),
        ),
    ),
    (
        "traffic",
        (
            *_with_b2b(
                "Long", "browserPageViews browserSessions mobileAppPageViews mobileAppSessions pageViews sessions"
            ),
            *_with_b2b(
                "Float",
                "browserPageViewsPercentage browserSessionPercentage buyBoxPercentage mobileAppPageViewsPercentage "
                "mobileAppSessionPercentage pageViewsPercentage sessionPercentage unitSessionPercentage",
            ),
        ),
    ),
)

# Whole UTC dates, the last ending at least 12 hours before now (marketplaces run from UTC-8 to
# UTC+11: by then the day is over in each); Amazon serves the last two years.
DAYS = WindowPlan(
    cap_days=30,
    align=Align.UTC_DAYS,
    look_back=LookBack.OWN_WINDOWS,
    hold_back=timedelta(hours=12),
    horizon_years=2,
)
# Fees post days after the sale (SPAPI-NOTES Add. §7): a week is read again, at least.
ECONOMICS_WINDOW = WindowPlan(
    cap_days=30,
    align=Align.UTC_DAYS,
    look_back=LookBack.OWN_WINDOWS,
    look_back_at_least=timedelta(days=7),
    hold_back=timedelta(hours=12),
    horizon_years=2,
)
# One day a query (Amazon totals the range per ASIN); read once settled, 72 hours on, as the
# GET_SALES_AND_TRAFFIC_REPORT stream is, and never again (a re-read would be the same day's totals).
ONE_DAY = WindowPlan(
    cap_days=1, align=Align.UTC_DAYS, look_back=LookBack.NEVER, hold_back=timedelta(hours=72), horizon_years=2
)


@dataclass(frozen=True)
class Dataset:
    """What a Data Kiosk stream asks for: the dataset's root field, the query field, the arguments
    beside the window and marketplace, the fields, and the roles the app needs for it."""

    root: str
    field: str
    arguments: str
    fields: Fields
    roles: tuple[str, ...] = ("Brand Analytics",)

    def text(self, marketplace_id: str, start: datetime, end: datetime) -> str:
        """The query of one window [start, end): both dates included, as Amazon reads them."""
        last = last_day(end).date().isoformat()
        window = f'startDate:"{start.date().isoformat()}",endDate:"{last}",marketplaceIds:["{marketplace_id}"]'
        return compact(f"query{{{self.root}{{{self.field}({window},{self.arguments}){selection(self.fields)}}}}}")


_STREAMS: list[type[DataKioskStream]] = []


class DataKioskStream(AmazonSPStream):
    """A stream of one Data Kiosk dataset, per marketplace, a query per window."""

    dataset: ClassVar[Dataset]
    key: ClassVar[tuple[str, ...]]
    account_types: ClassVar[tuple[str, ...]] = ("Seller",)
    # Brand Analytics (and, for Economics, Selling Partner Insights) are roles few apps have.
    selected_by_default = False
    replication_key = "start_date"
    windows_at_commit = True
    # The README's "Window per request" (scripts/sync_definitions.py).
    window_description: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        dataset = cls.__dict__.get("dataset")
        if dataset is not None:
            props = properties(dataset.fields)
            props["query_id"] = {"type": ["string", "null"], "description": "The Data Kiosk query the row came from."}
            props.update(LEFTOVER_PROPERTIES)
            cls.schema = {"type": "object", "properties": props}  # type: ignore[assignment]
            cls.primary_keys = list(cls.key)  # type: ignore[assignment]
            cls.source = f"Data Kiosk `{dataset.root}` `{dataset.field}`"
        super().__init_subclass__(**kwargs)
        if dataset is not None:
            _STREAMS.append(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stopped = False
        self.format: DocumentFormat = dataset_format(self.schema["properties"])

    def queries(self, marketplace_id: str) -> list[KioskQuery]:
        """This sync's queries of one marketplace, in window order."""
        sync = SyncRange.of(self.settings)
        bookmark = self.start_bookmark({"marketplace_id": marketplace_id})
        return [
            KioskQuery(self.name, marketplace_id, start, end, self.dataset.text(marketplace_id, start, end))
            for start, end in self.window.windows(sync, bookmark)
        ]

    @override
    def get_records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        if self._stopped:
            return
        marketplace_id = str((context or {})["marketplace_id"])
        queries = self.queries(marketplace_id)
        self._prune(context, {query.key for query in queries})
        if len(queries) >= MANY_REPORTS:
            create = OPERATIONS["createQuery"]
            self.logger.warning(
                "%s %s: this sync needs %d Data Kiosk queries (one per window): Amazon's createQuery quota "
                "(%d at once, then one every %.0f s) needs about %s for them; a later start_date needs fewer",
                self.name,
                marketplace_id,
                len(queries),
                create.burst,
                1 / create.rate,
                duration(max(0, len(queries) - create.burst) / create.rate),
            )
        try:
            for page in self.runtime.kiosk.pages(self, queries):
                try:
                    yield from self._emit(page)
                except DocumentError:
                    # A document never changes: the next sync asks Amazon anew instead of reading it again.
                    self.forget_query(page.query)
                    raise
                if page.last:
                    state = self.get_context_state(context)
                    _drop(state, page.query.key)
                    self.commit_bookmark(context, page.query.end)
        except RoleMissing as exc:
            self._stopped = True
            roles = " and ".join(self.dataset.roles)
            self.logger.error(
                "%s: stopped, Amazon refused its Data Kiosk query (%s): the app lacks the %s role%s; add %s to the "
                "app (then authorize it again) or deselect this stream. The other streams go on, and this one's "
                "bookmark stays",
                self.name,
                exc,
                roles,
                "s" if len(self.dataset.roles) > 1 else "",
                "them" if len(self.dataset.roles) > 1 else "it",
            )
            self.runtime.incomplete.append(f"{self.name} stopped: the app lacks the {roles} role")
        except QueryFailed as exc:
            # The window stays unread, its bookmark before it: the next sync asks for it again.
            self.logger.error("%s; this marketplace stops before that window, and the next sync asks again", exc)
            self.runtime.incomplete.append(str(exc))

    def _emit(self, page: Page) -> Iterator[dict[str, Any]]:
        began = time.monotonic()
        before = self.records_emitted
        rows = 0
        if page.document_id is not None:
            document = self.runtime.kiosk.document(page)
            for record in self.format.read(
                document, marketplace_id=page.query.marketplace_id, report_id=page.query_id, logger=self.logger
            ):
                record["query_id"] = page.query_id
                record["marketplace_id"] = record.get("marketplace_id") or page.query.marketplace_id
                rows += 1
                yield record
        self.logger.info(
            "%s: query %s page %d DONE%s, %d rows in the document, %d emitted, %s",
            page.query.describe(),
            page.query_id,
            page.number,
            "" if page.document_id else " without a document (no data for this window)",
            rows,
            self.records_emitted - before,
            duration(page.seconds + time.monotonic() - began),
        )

    # --- the engine's KioskLedger: queries created and not read yet, beside the bookmark ----------

    def recall_query(self, query: KioskQuery) -> dict[str, Any] | None:
        found = (self.get_context_state({"marketplace_id": query.marketplace_id}).get(STATE_KEY) or {}).get(query.key)
        return found if isinstance(found, dict) else None

    def remember_query(self, query: KioskQuery, query_id: str, page: int) -> None:
        state = self.get_context_state({"marketplace_id": query.marketplace_id})
        state.setdefault(STATE_KEY, {})[query.key] = {
            "query_id": query_id,
            "query": query.fingerprint,
            "page": page,
            "created": format_datetime(SyncRange.of(self.settings).now),
        }
        self.flush_state()

    def forget_query(self, query: KioskQuery) -> None:
        if _drop(self.get_context_state({"marketplace_id": query.marketplace_id}), query.key):
            self.flush_state()

    def _prune(self, context: Context | None, keep: set[str]) -> None:
        """Forget queries of windows this sync does not have (the window plan moved on)."""
        state = self.get_context_state(context)
        stale = [key for key in state.get(STATE_KEY) or {} if key not in keep]
        for key in stale:
            _drop(state, key)
        if stale:
            self.flush_state()


def _drop(state: dict[str, Any], key: str) -> bool:
    pending = state.get(STATE_KEY)
    if not isinstance(pending, dict) or key not in pending:
        return False
    del pending[key]
    if not pending:
        del state[STATE_KEY]
    return True


class EconomicsStream(DataKioskStream):
    """`data_kiosk_economics`: per marketplace, day and MSKU, what a product sold, cost and left."""

    name = "data_kiosk_economics"
    dataset = Dataset(
        "analytics_economics_2024_03_15",
        "economics",
        "aggregateBy:{date:DAY,productId:MSKU}",
        ECONOMICS,
        roles=("Brand Analytics", "Selling Partner Insights"),
    )
    key = ("marketplace_id", "start_date", "child_asin", "msku")
    window = ECONOMICS_WINDOW
    window_description = "30 whole days a query; ends 12 h before now; the last 7 days read again; the last two years"


class SalesAndTrafficByDateStream(DataKioskStream):
    """`data_kiosk_sales_and_traffic_by_date`: per marketplace and day, sales and traffic."""

    name = "data_kiosk_sales_and_traffic_by_date"
    dataset = Dataset("analytics_salesAndTraffic_2024_04_24", "salesAndTrafficByDate", "aggregateBy:DAY", BY_DATE)
    key = ("marketplace_id", "start_date")
    window = DAYS
    window_description = "30 whole days a query; ends 12 h before now; the last two years"


class SalesAndTrafficByAsinStream(DataKioskStream):
    """`data_kiosk_sales_and_traffic_by_asin`: per marketplace, day and child ASIN, sales and traffic."""

    name = "data_kiosk_sales_and_traffic_by_asin"
    dataset = Dataset("analytics_salesAndTraffic_2024_04_24", "salesAndTrafficByAsin", "aggregateBy:CHILD", BY_ASIN)
    key = ("marketplace_id", "start_date", "child_asin")
    window = ONE_DAY
    window_description = "one day a query; ends 72 h before now; the last two years"


def kiosk_stream_classes(account_type: str | None = None) -> dict[str, type[DataKioskStream]]:
    """The Data Kiosk streams of an account type (of any, if None), by name."""
    return {
        str(cls.__dict__["name"]): cls for cls in _STREAMS if account_type is None or account_type in cls.account_types
    }
