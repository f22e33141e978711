"""Finances API v0 (event groups, events) and 2024-06-19 (transactions): data, answers, ground truth.

Amazon's rules played here: bounds more than 180 days apart give an EMPTY answer (no error); a
*Before bound later than two minutes before now is refused; the second page of every chain is an
empty page that still carries a token; page tokens can be expired on demand (``expire_page_token``).
A test can hold a transaction back and show it later (``hide``/``show``): a late posting, and
can make v0 refuse answers past a size (``max_page_bytes``) as Amazon does past its limits.
Pages hold fewer rows than MaxResultsPerPage allows (Amazon caps by size too), so chains have pages.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .paging import Query, check_before_bounds, fingerprint, first, page_slice, when
from .rendering import MARKETPLACES
from .reports import ApiError, format_time
from .rest_api import World, answers, simulated
from .tap_form import tap_form

__all__ = ["FinancesApi"]

_FIRST = datetime(2023, 6, 5, tzinfo=timezone.utc)
_WIDEST = timedelta(days=180)
_PAGE_CAP = 20
# Groups are few (one a fortnight): smaller pages, so that their chains have pages too.
_GROUP_PAGE_CAP = 5
_MARKETS = ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _amount(rng: random.Random, low: int = 100, high: int = 50000) -> float:
    return float(Decimal(rng.randrange(low, high)) / 100)


@simulated("finances")
class FinancesApi:
    """Financial event groups, events and transactions of one seller."""

    def __init__(self, world: World) -> None:
        rng = random.Random(f"{world.seed}:{world.rows}:finances")
        self.pager = world.pager
        self.groups = self._groups(rng, world.anchor)
        # (list name, internal posted time, event) -- some events have no PostedDate of their own.
        self.events = self._events(rng, world.rows, world.anchor)
        self.transactions = self._transactions(rng, world.rows, world.anchor)
        # Transactions Amazon has not shown yet (a late posting), by id.
        self._hidden: set[str] = set()
        # v0 answers larger than this (JSON bytes of the page's rows) are refused, as Amazon refuses
        # those past its transaction or 10 MB limit; None: no limit.
        self.max_page_bytes: int | None = None

    def hide(self, transaction_id: str) -> None:
        """Leave a transaction out of every answer until ``show`` (or ``reset``)."""
        self._hidden.add(transaction_id)

    def show(self, transaction_id: str) -> None:
        self._hidden.discard(transaction_id)

    def reset(self) -> None:
        self._hidden.clear()
        self.max_page_bytes = None

    def _check_size(self, rows: Any) -> None:
        if self.max_page_bytes is not None and len(json.dumps(rows)) > self.max_page_bytes:
            raise ApiError(400, "InvalidInput", "The response is too large. Lower MaxResultsPerPage.")

    # ---- data ------------------------------------------------------------------------------

    @staticmethod
    def _groups(rng: random.Random, anchor: datetime) -> list[dict[str, Any]]:
        groups = []
        start = _FIRST
        n = 0
        while start < anchor:
            end = start + timedelta(days=14)
            closed = end < anchor
            total = _amount(rng)
            group: dict[str, Any] = {
                "FinancialEventGroupId": f"GRP{rng.randrange(10**12, 10**13)}",
                "ProcessingStatus": "Closed" if closed else "Open",
                "FundTransferStatus": "Succeeded" if closed else "Unknown",
                "OriginalTotal": {"CurrencyCode": "USD", "CurrencyAmount": total},
                "ConvertedTotal": {"CurrencyCode": "USD", "CurrencyAmount": total},
                "TraceId": f"TR{n:06d}",
                "AccountTail": "123",
                "BeginningBalance": {"CurrencyCode": "USD", "CurrencyAmount": 0.0},
                "FinancialEventGroupStart": format_time(start),
            }
            if closed:
                group["FinancialEventGroupEnd"] = format_time(end)
                group["FundTransferDate"] = format_time(end + timedelta(days=1))
            groups.append(group)
            start, n = end, n + 1
        return groups

    @staticmethod
    def _events(rng: random.Random, rows: int, anchor: datetime) -> list[tuple[str, datetime, dict[str, Any]]]:
        events: list[tuple[str, datetime, dict[str, Any]]] = []
        span = int(
            (datetime(2024, 7, 10, tzinfo=timezone.utc) - datetime(2023, 12, 1, tzinfo=timezone.utc)).total_seconds()
        )
        for n in range(rows * 2):
            posted = datetime(2023, 12, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(span))
            if n >= rows * 2 - 3:
                posted = anchor - timedelta(hours=rng.randrange(1, 20))
            order_id = f"{rng.randrange(100, 999)}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}"
            kind = n % 4
            if kind in (0, 1):
                fee = {"FeeType": "Commission", "FeeAmount": {"CurrencyCode": "USD", "CurrencyAmount": -_amount(rng)}}
                charge = {
                    "ChargeType": "Principal",
                    "ChargeAmount": {"CurrencyCode": "USD", "CurrencyAmount": _amount(rng)},
                }
                events.append(
                    (
                        "ShipmentEventList" if kind == 0 else "RefundEventList",
                        posted,
                        {
                            "AmazonOrderId": order_id,
                            "SellerOrderId": f"SO-{n:05d}",
                            "MarketplaceName": "Amazon.com",
                            "PostedDate": format_time(posted),
                            "ShipmentItemList": [
                                {
                                    "SellerSKU": f"SKU-{n:04d}",
                                    "OrderItemId": f"{rng.randrange(10**13, 10**14)}",
                                    "QuantityShipped": rng.randint(1, 3),
                                    "ItemChargeList": [charge],
                                    "ItemFeeList": [fee],
                                }
                            ],
                        },
                    )
                )
            elif kind == 2:
                # Service fees carry no date of their own: Amazon files them by when they posted.
                event = {
                    "FeeReason": "FBA storage",
                    "FeeDescription": "Monthly storage",
                    "SellerSKU": f"SKU-{n:04d}",
                    "ASIN": f"B0{rng.randrange(10**7, 10**8)}",
                    "FeeList": [
                        {
                            "FeeType": "FBAStorageFee",
                            "FeeAmount": {"CurrencyCode": "USD", "CurrencyAmount": -_amount(rng, 10, 900)},
                        }
                    ],
                }
                events.append(("ServiceFeeEventList", posted, event))
                if n % 8 == 2:
                    # An identical twin in the same window: two events, two records.
                    events.append(("ServiceFeeEventList", posted, dict(event)))
            else:
                events.append(
                    (
                        "AdjustmentEventList",
                        posted,
                        {
                            "AdjustmentType": "ReserveDebit",
                            "PostedDate": format_time(posted),
                            "AdjustmentAmount": {"CurrencyCode": "USD", "CurrencyAmount": -_amount(rng, 100, 5000)},
                        },
                    )
                )
        events.sort(key=lambda e: e[1])
        return events

    @staticmethod
    def _transactions(rng: random.Random, rows: int, anchor: datetime) -> list[dict[str, Any]]:
        transactions = []
        span = int(
            (datetime(2024, 7, 10, tzinfo=timezone.utc) - datetime(2023, 12, 1, tzinfo=timezone.utc)).total_seconds()
        )
        for n in range(rows * 2):
            posted = datetime(2023, 12, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(span))
            if n >= rows * 2 - 3:
                posted = anchor - timedelta(hours=rng.randrange(1, 20))
            m = MARKETPLACES[_MARKETS[n % len(_MARKETS)]]
            order_id = f"{rng.randrange(100, 999)}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}"
            total = _amount(rng)
            fee = -_amount(rng, 10, 500)
            transactions.append(
                {
                    "sellingPartnerMetadata": {
                        "sellingPartnerId": "A3SIMULATEDSELLER",
                        "accountType": "Standard",
                        "marketplaceId": m.id,
                    },
                    "relatedIdentifiers": [{"relatedIdentifierName": "ORDER_ID", "relatedIdentifierValue": order_id}],
                    "transactionType": "Shipment" if n % 3 else "Refund",
                    "transactionId": f"TX-{rng.randrange(10**12, 10**13)}",
                    "transactionStatus": "RELEASED" if n % 5 else "DEFERRED",
                    "description": "Order Payment" if n % 3 else "Refund",
                    "postedDate": format_time(posted),
                    "totalAmount": {"currencyCode": m.currency, "currencyAmount": round(total + fee, 2)},
                    "marketplaceDetails": {"marketplaceId": m.id, "marketplaceName": m.sales_channel},
                    "items": [
                        {"description": "Item", "totalAmount": {"currencyCode": m.currency, "currencyAmount": total}}
                    ],
                    "contexts": [
                        {
                            "contextType": "ProductContext",
                            "asin": f"B0{rng.randrange(10**7, 10**8)}",
                            "sku": f"SKU-{n:04d}",
                            "quantityShipped": 1,
                            "fulfillmentNetwork": "AFN",
                        }
                    ],
                    "breakdowns": [
                        {
                            "breakdownType": "Sales",
                            "breakdownAmount": {"currencyCode": m.currency, "currencyAmount": total},
                        },
                        {
                            "breakdownType": "Fees",
                            "breakdownAmount": {"currencyCode": m.currency, "currencyAmount": fee},
                        },
                    ],
                }
            )
        transactions.sort(key=lambda t: (t["postedDate"], t["transactionId"]))
        return transactions

    # ---- paging shared by the three operations ----------------------------------------------

    def _page(
        self, operation: str, query: Query, token_name: str, rows: Sequence[Any], size: int
    ) -> tuple[list[Any], str | None]:
        key = fingerprint(query, (token_name,))
        offset, empty = 0, False
        token = first(query, token_name)
        if token is not None:
            offset, empty = self.pager.redeem(operation, token, key, None)
        if empty:
            return [], self.pager.issue(operation, key, offset)
        chunk, after = page_slice(rows, offset, size)
        if after is None:
            return chunk, None
        # Amazon sometimes answers an empty page mid-stream: here, right after every first page.
        return chunk, self.pager.issue(operation, key, after, empty=token is None)

    @staticmethod
    def _range(query: Query, after: str, before: str, *, required: bool) -> tuple[datetime, datetime] | None:
        """The request's [after, before) range, or None when Amazon would answer nothing (> 180 days)."""
        check_before_bounds(query, (after, before))
        lower, upper = when(query, after), when(query, before)
        if lower is None:
            if required:
                raise ApiError(400, "InvalidInput", f"{after} is required.", violation=True)
            lower = datetime(2000, 1, 1, tzinfo=timezone.utc)
        upper = upper or datetime.now(timezone.utc) - timedelta(minutes=2)
        if upper <= lower:
            raise ApiError(400, "InvalidInput", "Date range is invalid.", violation=True)
        if upper - lower > _WIDEST:
            return None
        return lower, upper

    @staticmethod
    def _size(query: Query, name: str, default: int, cap: int = _PAGE_CAP) -> int:
        return min(int(first(query, name) or default), cap)

    # ---- operations ------------------------------------------------------------------------

    @answers("listFinancialEventGroups")
    def list_financial_event_groups(self, query: Query) -> dict[str, Any]:
        bounds = self._range(
            query, "FinancialEventGroupStartedAfter", "FinancialEventGroupStartedBefore", required=False
        )
        rows = [] if bounds is None else self._groups_in(*bounds)
        chunk, token = self._page(
            "listFinancialEventGroups",
            query,
            "NextToken",
            rows,
            self._size(query, "MaxResultsPerPage", 10, _GROUP_PAGE_CAP),
        )
        self._check_size(chunk)
        payload: dict[str, Any] = {"FinancialEventGroupList": chunk}
        if token:
            payload["NextToken"] = token
        return {"payload": payload}

    @answers("listFinancialEvents")
    def list_financial_events(self, query: Query) -> dict[str, Any]:
        bounds = self._range(query, "PostedAfter", "PostedBefore", required=False)
        rows = [] if bounds is None else self._events_in(*bounds)
        chunk, token = self._page(
            "listFinancialEvents", query, "NextToken", rows, self._size(query, "MaxResultsPerPage", 100)
        )
        self._check_size([event for _list, _posted, event in chunk])
        lists: dict[str, list[dict[str, Any]]] = {}
        for list_name, _posted, event in chunk:
            lists.setdefault(list_name, []).append(event)
        payload: dict[str, Any] = {"FinancialEvents": lists}
        if token:
            payload["NextToken"] = token
        return {"payload": payload}

    @answers("listTransactions")
    def list_transactions(self, query: Query) -> dict[str, Any]:
        bounds = self._range(query, "postedAfter", "postedBefore", required=True)
        rows = [] if bounds is None else self._transactions_in(first(query, "marketplaceId"), *bounds)
        chunk, token = self._page("listTransactions", query, "nextToken", rows, _PAGE_CAP)
        payload: dict[str, Any] = {"transactions": chunk}
        if token:
            payload["nextToken"] = token
        return {"payload": payload}

    def _groups_in(self, lower: datetime, upper: datetime) -> list[dict[str, Any]]:
        return [g for g in self.groups if lower <= _at(g["FinancialEventGroupStart"]) < upper]

    def _events_in(self, lower: datetime, upper: datetime) -> list[tuple[str, datetime, dict[str, Any]]]:
        return [e for e in self.events if lower <= e[1] < upper]

    def _transactions_in(self, market: str | None, lower: datetime, upper: datetime) -> list[dict[str, Any]]:
        return [
            t
            for t in self.transactions
            if lower <= _at(t["postedDate"]) < upper
            and t["transactionId"] not in self._hidden
            and (market is None or t["marketplaceDetails"]["marketplaceId"] == market)
        ]

    # ---- ground truth ----------------------------------------------------------------------

    def expected_groups(self, lower: datetime, upper: datetime) -> list[dict[str, Any]]:
        return [tap_form(g) for g in self._groups_in(lower, upper)]

    def expected_transactions(self, lower: datetime, upper: datetime) -> list[dict[str, Any]]:
        records = []
        for transaction in self._transactions_in(None, lower, upper):
            record = tap_form(transaction)
            record["marketplace_id"] = transaction["marketplaceDetails"]["marketplaceId"]
            records.append(record)
        return records

    def expected_events(self, lower: datetime, upper: datetime) -> list[dict[str, Any]]:
        """The `financial_events` records without their `event_id` (a digest the tap chooses)."""
        records = []
        for list_name, _posted, event in self._events_in(lower, upper):
            records.append(
                {
                    "event_type": list_name.removesuffix("List"),
                    "posted_date": event.get("PostedDate"),
                    "amazon_order_id": event.get("AmazonOrderId"),
                    "marketplace_name": event.get("MarketplaceName"),
                    "event": tap_form(event),
                }
            )
        return records
