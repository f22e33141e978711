"""Amazon regions, hosts and marketplaces.

Figures from Amazon's "SP-API endpoints" and "Marketplace IDs" pages. The charset column is the
encoding Amazon's flat files use in practice when the download does not name one.
"""

from __future__ import annotations

from dataclasses import dataclass

PRODUCTION_HOSTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
SANDBOX_HOSTS = {
    "NA": "https://sandbox.sellingpartnerapi-na.amazon.com",
    "EU": "https://sandbox.sellingpartnerapi-eu.amazon.com",
    "FE": "https://sandbox.sellingpartnerapi-fe.amazon.com",
}
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


@dataclass(frozen=True)
class Marketplace:
    """One Amazon marketplace and the facts the tap needs about it."""

    country: str
    marketplace_id: str
    region: str
    charset: str
    # The `sales-channel` value of its orders in regional reports: "Amazon.de".
    sales_channel: str = ""
    # How Seller Central writes a numeric date there: "MDY" (3/16/24), "DMY" (16/03/2024, 16.3.24) or
    # "YMD" (24/3/16, 2024-03-16). Seller feedback, ledger and restock reports use it.
    date_order: str = "DMY"
    # How its amounts mark decimals: "95,00" in most of continental Europe and Brazil, "95.00" elsewhere
    # (settlement reports write amounts this way, Add. §1).
    decimal_separator: str = "."


# Where the local number format writes a decimal comma.
DECIMAL_COMMA = frozenset({"DE", "FR", "IT", "ES", "NL", "BE", "SE", "PL", "TR", "BR"})


def _m(country: str, marketplace_id: str, region: str, domain: str, charset: str = "utf-8") -> Marketplace:
    order = "MDY" if country == "US" else "YMD" if country in ("JP", "SE") else "DMY"
    decimal = "," if country in DECIMAL_COMMA else "."
    return Marketplace(country, marketplace_id, region, charset, "Amazon." + domain, order, decimal)


MARKETPLACES: tuple[Marketplace, ...] = (
    _m("CA", "A2EUQ1WTGCTBG2", "NA", "ca"),
    _m("US", "ATVPDKIKX0DER", "NA", "com"),
    _m("MX", "A1AM78C64UM0Y8", "NA", "com.mx"),
    _m("BR", "A2Q3Y263D00KWC", "NA", "com.br"),
    _m("IE", "A28R8C7NBKEWEA", "EU", "ie", "cp1252"),
    _m("ES", "A1RKKUPIHCS9HS", "EU", "es", "cp1252"),
    _m("UK", "A1F83G8C2ARO7P", "EU", "co.uk", "cp1252"),
    _m("FR", "A13V1IB3VIYZZH", "EU", "fr", "cp1252"),
    _m("BE", "AMEN7PMS3EDWL", "EU", "com.be", "cp1252"),
    _m("NL", "A1805IZSGTT6HS", "EU", "nl", "cp1252"),
    _m("DE", "A1PA6795UKMFR9", "EU", "de", "cp1252"),
    _m("IT", "APJ6JRA9NG5V4", "EU", "it", "cp1252"),
    _m("SE", "A2NODRKZP88ZB9", "EU", "se", "cp1252"),
    _m("ZA", "AE08WJ6YKNBMC", "EU", "co.za", "cp1252"),
    _m("PL", "A1C3SOZRARQ6R3", "EU", "pl", "cp1252"),
    _m("EG", "ARBP9OOSHTCHU", "EU", "eg", "cp1252"),
    _m("TR", "A33AVAJ2PDY3EV", "EU", "com.tr", "cp1252"),
    _m("SA", "A17E79C6D8DWNP", "EU", "sa", "cp1252"),
    _m("AE", "A2VIGQ35RCS4UG", "EU", "ae", "cp1252"),
    _m("IN", "A21TJRUUN4KGV", "EU", "in", "cp1252"),
    _m("SG", "A19VAU5U5O7RUS", "FE", "sg"),
    _m("AU", "A39IBJ37TRP1C6", "FE", "com.au"),
    _m("JP", "A1VC38T7YXB528", "FE", "co.jp", "cp932"),
)

BY_COUNTRY: dict[str, Marketplace] = {m.country: m for m in MARKETPLACES}
BY_ID: dict[str, Marketplace] = {m.marketplace_id: m for m in MARKETPLACES}
BY_SALES_CHANNEL: dict[str, Marketplace] = {m.sales_channel.lower(): m for m in MARKETPLACES}
# Amazon's docs say UK; ISO says GB. Accept both.
COUNTRY_ALIASES = {"GB": "UK"}
COUNTRIES: tuple[str, ...] = tuple(sorted(BY_COUNTRY))


def by_country(code: str) -> Marketplace | None:
    """The marketplace of a country code (case-insensitive, GB = UK), or None."""
    code = code.strip().upper()
    return BY_COUNTRY.get(COUNTRY_ALIASES.get(code, code))


def by_sales_channel(channel: str) -> Marketplace | None:
    """The marketplace of an order's sales channel ("Amazon.de"), or None ("Non-Amazon", blank)."""
    return BY_SALES_CHANNEL.get(channel.strip().lower())


def host_for(region: str, *, sandbox: bool) -> str:
    """The SP-API host serving a region."""
    return (SANDBOX_HOSTS if sandbox else PRODUCTION_HOSTS)[region]
