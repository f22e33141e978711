"""The seller's marketplaces (Sellers API v1), a snapshot read in one call."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th

from tap_amazon_sp.client import RestStream

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


class MarketplaceParticipationsStream(RestStream):
    """`marketplace_participations`: one record per marketplace the seller takes part in.

    Flat columns: each participation is a marketplace, a participation status and a store name.
    All of the account's marketplaces are listed, not only the configured ones.
    """

    name = "marketplace_participations"
    primary_keys: ClassVar[list[str]] = ["marketplace_id"]
    replication_key = None
    source = "Sellers API v1 `getMarketplaceParticipations`"
    operation = "getMarketplaceParticipations"
    # One answer lists every marketplace of the account.
    whole_snapshot = True
    records_path = ("payload",)
    schema = th.PropertiesList(
        th.Property("marketplace_id", th.StringType, required=True),
        th.Property("name", th.StringType),
        th.Property("country_code", th.StringType),
        th.Property("default_currency_code", th.StringType),
        th.Property("default_language_code", th.StringType),
        th.Property("domain_name", th.StringType),
        th.Property("store_name", th.StringType),
        th.Property("is_participating", th.BooleanType),
        th.Property("has_suspended_listings", th.BooleanType),
    ).to_dict()

    @override
    def record(self, item: Mapping[str, Any], context: Context | None) -> dict[str, Any]:
        market = item.get("marketplace") or {}
        participation = item.get("participation") or {}
        return {
            "marketplace_id": market.get("id"),
            "name": market.get("name"),
            "country_code": market.get("countryCode"),
            "default_currency_code": market.get("defaultCurrencyCode"),
            "default_language_code": market.get("defaultLanguageCode"),
            "domain_name": market.get("domainName"),
            "store_name": item.get("storeName"),
            "is_participating": participation.get("isParticipating"),
            "has_suspended_listings": participation.get("hasSuspendedListings"),
        }
