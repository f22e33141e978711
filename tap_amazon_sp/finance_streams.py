"""Finances: event groups and events (Finances API v0) and transactions (Finances API 2024-06-19).

All three are read in windows of at most 180 days: wider ones come back empty, without an error.
Pages can be empty in the middle of a chain; paging goes on while there is a token. A token that
expires mid-window restarts that window (RestStream.read_chain), and records already emitted from
it are not emitted again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th

from tap_amazon_sp.client import RestStream
from tap_amazon_sp.lifecycle import deprecated
from tap_amazon_sp.records import exact_numbers, snake_keys
from tap_amazon_sp.windows import CLOCK_MARGIN, WindowPlan

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# Amazon answers an empty list, not an error, for a wider range: never ask for one.
FINANCE_WINDOW = WindowPlan(cap_days=180, hold_back=CLOCK_MARGIN)

CURRENCY = th.ObjectType(th.Property("currency_code", th.StringType), th.Property("currency_amount", th.NumberType))


class _FinancesV0Stream(RestStream):
    """What the Finances v0 operations share: PascalCase paging, and pages that can be too large."""

    window = FINANCE_WINDOW
    token_param = "NextToken"
    next_token_path = ("payload", "NextToken")
    page_size_param = "MaxResultsPerPage"
    request_params: ClassVar[Mapping[str, Any]] = {"MaxResultsPerPage": 100}


class FinancialEventGroupsStream(_FinancesV0Stream):
    """`financial_event_groups`: one record per group (a settlement period), by the time it started."""

    name = "financial_event_groups"
    primary_keys: ClassVar[list[str]] = ["financial_event_group_id"]
    replication_key = "financial_event_group_start"
    source = "Finances API v0 `listFinancialEventGroups`"
    # A group stays open for its settlement period (about two weeks) and its totals and transfer status
    # change until it is paid out, so groups are re-read at least this far before the bookmark.
    window = replace(FINANCE_WINDOW, look_back_at_least=timedelta(days=30))
    operation = "listFinancialEventGroups"
    window_bounds = ("FinancialEventGroupStartedAfter", "FinancialEventGroupStartedBefore")
    records_path = ("payload", "FinancialEventGroupList")
    exact = True
    schema = th.PropertiesList(
        th.Property("financial_event_group_id", th.StringType, required=True),
        th.Property("processing_status", th.StringType),
        th.Property("fund_transfer_status", th.StringType),
        th.Property("original_total", CURRENCY),
        th.Property("converted_total", CURRENCY),
        th.Property("fund_transfer_date", th.DateTimeType),
        th.Property("trace_id", th.StringType),
        th.Property("account_tail", th.StringType),
        th.Property("beginning_balance", CURRENCY),
        th.Property("financial_event_group_start", th.DateTimeType),
        th.Property("financial_event_group_end", th.DateTimeType),
    ).to_dict()


class FinancialEventsStream(_FinancesV0Stream):
    """`financial_events`: one record per financial event, whatever its list.

    listFinancialEvents answers 34 lists of differently shaped events (shipments, refunds, service
    fees, adjustments, ...), and Amazon adds lists over time. One stream with one record per event
    keeps every kind, new ones included, without 34 tables: `event_type` names the list, the common
    fields (posted date, order id, marketplace) are columns, and `event` holds the event as Amazon
    sent it (snake-cased). Events carry no identifier, so the key is a digest of the type and the
    event's content (its posted date, order, SKU and amounts included), with a counter for identical
    events in one window: the same event read again (look-back, a restarted window) gets the same
    key and is upserted, not duplicated. The one thing this cannot tell apart is two identical
    events (same type and content) read in different windows: they share a key.
    """

    name = "financial_events"
    primary_keys: ClassVar[list[str]] = ["event_id"]
    replication_key = "posted_date"
    # Amazon deprecated listFinancialEvents on 2025-07-21; the removal moved to 2027-08-27 (Add. §2).
    lifecycle = deprecated("2027-08-27", "financial_transactions")
    source = "Finances API v0 `listFinancialEvents`"
    operation = "listFinancialEvents"
    window_bounds = ("PostedAfter", "PostedBefore")
    schema = th.PropertiesList(
        th.Property("event_id", th.StringType, required=True, description="Digest of event_type and the event."),
        th.Property("event_type", th.StringType, required=True, description="The list's name less 'List'."),
        th.Property("posted_date", th.DateTimeType, description="Null for event types that have none."),
        th.Property("amazon_order_id", th.StringType),
        th.Property("marketplace_name", th.StringType),
        th.Property("event", th.ObjectType(additional_properties=True), required=True),
    ).to_dict()

    # Set by begin_chain, which read_chain calls before a chain's first page.
    _copies: Counter[str]

    @override
    def begin_chain(self) -> None:
        # Identical events are counted from the window's first page, however often it is read.
        self._copies = Counter()

    @override
    def page_records(self, body: Mapping[str, Any], context: Context | None) -> list[dict[str, Any]]:
        lists = (body.get("payload") or {}).get("FinancialEvents") or {}
        records = []
        for list_name, events in lists.items():
            event_type = list_name.removesuffix("List")
            for event in events or []:
                content = json.dumps([event_type, event], sort_keys=True, separators=(",", ":"))
                digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
                self._copies[digest] += 1
                copy = self._copies[digest]
                records.append(
                    {
                        "event_id": digest if copy == 1 else f"{digest}-{copy}",
                        "event_type": event_type,
                        "posted_date": event.get("PostedDate"),
                        "amazon_order_id": event.get("AmazonOrderId"),
                        "marketplace_name": event.get("MarketplaceName"),
                        "event": exact_numbers(snake_keys(event)),
                    }
                )
        return records


class FinancialTransactionsStream(RestStream):
    """`financial_transactions`: one record per transaction (Finances API 2024-06-19)."""

    name = "financial_transactions"
    primary_keys: ClassVar[list[str]] = ["transaction_id"]
    replication_key = "posted_date"
    source = "Finances API 2024-06-19 `listTransactions`"
    window = FINANCE_WINDOW
    operation = "listTransactions"
    # No marketplaceId: that way the answer covers every marketplace, US MFN orders included.
    window_bounds = ("postedAfter", "postedBefore")
    records_path = ("payload", "transactions")
    next_token_path = ("payload", "nextToken")
    exact = True
    copied: ClassVar[Mapping[str, tuple[str, ...]]] = {"marketplace_id": ("marketplace_details", "marketplace_id")}
    schema = th.PropertiesList(
        th.Property("transaction_id", th.StringType, required=True),
        th.Property("transaction_type", th.StringType),
        th.Property("transaction_status", th.StringType),
        th.Property("description", th.StringType),
        th.Property("posted_date", th.DateTimeType),
        th.Property("marketplace_id", th.StringType, description="From marketplace_details."),
        th.Property("total_amount", CURRENCY),
        th.Property(
            "selling_partner_metadata",
            th.ObjectType(
                th.Property("selling_partner_id", th.StringType),
                th.Property("account_type", th.StringType),
                th.Property("marketplace_id", th.StringType),
            ),
        ),
        th.Property(
            "related_identifiers",
            th.ArrayType(
                th.ObjectType(
                    th.Property("related_identifier_name", th.StringType),
                    th.Property("related_identifier_value", th.StringType),
                )
            ),
        ),
        th.Property(
            "marketplace_details",
            th.ObjectType(th.Property("marketplace_id", th.StringType), th.Property("marketplace_name", th.StringType)),
        ),
        th.Property("items", th.ArrayType(th.ObjectType(additional_properties=True))),
        th.Property("contexts", th.ArrayType(th.ObjectType(additional_properties=True))),
        th.Property("breakdowns", th.ArrayType(th.ObjectType(additional_properties=True))),
    ).to_dict()
