"""The tap's settings: their declaration, the Airbyte aliases, and the checks made before any request.

`CONFIG_SCHEMA` is what `--about` and Meltano show. `load_settings` turns a raw config into a
`Settings` object or raises `SettingsError` naming the first bad setting, without echoing secrets.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from dateutil import parser as date_parser
from singer_sdk import typing as th

from tap_amazon_sp import catalogue, marketplaces

SECRETS = ("lwa_client_secret", "refresh_token")
DEFAULT_LOOKBACK_YEARS_DAYS = 730

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "lwa_client_id",
        th.StringType,
        required=True,
        title="LWA client ID",
        description="Login with Amazon client ID of your SP-API app (amzn1.application-oa2-client...). "
        "Airbyte's `lwa_app_id` is accepted as an alias.",
    ),
    th.Property(
        "lwa_client_secret",
        th.StringType,
        required=True,
        secret=True,
        title="LWA client secret",
        description="Login with Amazon client secret of your SP-API app.",
    ),
    th.Property(
        "refresh_token",
        th.StringType,
        required=True,
        secret=True,
        title="Refresh token",
        description="Refresh token (Atzr|...) from the app's OAuth authorization or self-authorization "
        "in Seller Central.",
    ),
    th.Property(
        "app_id",
        th.StringType,
        title="App ID",
        description="The app's ID (amzn1.sellerapps.app...). Informational only.",
    ),
    th.Property(
        "aws_environment",
        th.StringType,
        default="PRODUCTION",
        allowed_values=["PRODUCTION", "SANDBOX"],
        title="AWS environment",
        description="PRODUCTION for live data; SANDBOX uses Amazon's sandbox hosts.",
    ),
    th.Property(
        "region",
        th.StringType,
        default="US",
        allowed_values=[*marketplaces.COUNTRIES, *marketplaces.COUNTRY_ALIASES],
        title="Region (country code)",
        description="Country code of your main marketplace: "
        + " ".join(marketplaces.COUNTRIES)
        + " (GB = UK). Selects the SP-API host and the default marketplace.",
    ),
    th.Property(
        "marketplace_ids",
        th.ArrayType(th.StringType),
        title="Marketplace IDs",
        description="Marketplaces to sync (IDs such as A1PA6795UKMFR9, or country codes), all served by the "
        "region's host. Default: the region's marketplace.",
    ),
    th.Property(
        "account_type",
        th.StringType,
        default="Seller",
        allowed_values=["Seller", "Vendor"],
        title="Account type",
        description="Seller or Vendor: decides which streams exist. Vendor: the vendor retail analytics reports "
        "(sales, inventory, traffic) and Brand Analytics search terms, and no seller API is called. Seller: the "
        "seller reports and APIs, and Brand Analytics search terms for sellers in Brand Registry.",
    ),
    th.Property(
        "start_date",
        th.DateTimeType,
        title="Start date",
        description="UTC date-time; no data before it is synced. Default: two years before now. "
        "Airbyte's `replication_start_date` is accepted as an alias.",
    ),
    th.Property(
        "end_date",
        th.DateTimeType,
        title="End date",
        description="UTC date-time; no data after it is synced. Default: now. "
        "Airbyte's `replication_end_date` is accepted as an alias.",
    ),
    th.Property(
        "period_in_days",
        th.IntegerType(minimum=1, maximum=365),
        default=90,
        title="Period in days",
        description="Size of the report windows of a sync, in days (1-365); each report type also has its own "
        "cap (30 days for order reports, 60 for returns), the smaller wins.",
    ),
    th.Property(
        "report_options",
        th.ArrayType(
            th.ObjectType(
                th.Property("stream_name", th.StringType, required=True),
                th.Property("options", th.ObjectType(additional_properties=True), required=True),
            )
        ),
        title="Report options",
        description="Per stream, options sent as `reportOptions` to createReport, e.g. "
        '[{"stream_name": "GET_SALES_AND_TRAFFIC_REPORT", "options": {"asinGranularity": "SKU"}}]. '
        "Airbyte's `report_options_list` is accepted as an alias. Vendor and Brand Analytics reports need "
        "`reportPeriod` (DAY, WEEK, MONTH, QUARTER, YEAR), vendor sales and inventory also `distributorView` "
        "(MANUFACTURING, SOURCING) and `sellingProgram` (RETAIL, BUSINESS, FRESH): checked before any request, "
        "DAY, MANUFACTURING and RETAIL when not given (search terms: WEEK). A `_AGGREGATE` stream takes the options "
        "of its report's stream unless it has its own.",
    ),
    th.Property(
        "wait_between_requests",
        th.BooleanType,
        default=False,
        title="Wait between requests",
        description="Pace report creation conservatively to avoid FATAL statuses: one report at a time, "
        "created no faster than Amazon's sustained rate (no bursts). "
        "Airbyte's `wait_to_avoid_fatal_errors` is accepted as an alias.",
    ),
    th.Property(
        "lookback_days",
        th.IntegerType(minimum=0, maximum=60),
        default=3,
        title="Look-back (days)",
        description="Each incremental sync re-reads this many days before its bookmark, so rows Amazon adds or "
        "changes late are not lost (records are upserted by key, so the overlap is harmless). The default, 3, "
        "covers Amazon's documented delays: finances may miss the last 48 hours, vendor analytics arrive up to "
        "72 hours late, FBA shipments lag up to 24 hours. 0 turns it off.",
    ),
    th.Property(
        "include_pii",
        th.BooleanType,
        default=False,
        title="Include PII",
        description="Sync buyer-identifying fields (needs Amazon's restricted PII roles): the buyer and recipient "
        "of orders, and the names, emails, phone numbers and street addresses of buyers and recipients in reports "
        "(FBA shipments, seller feedback, and columns Amazon adds under such names). Off: orders do not request "
        "them and those report values are null (city, state, postal code and country stay). They are never logged.",
    ),
    th.Property(
        "max_reports_in_flight",
        th.IntegerType(minimum=1, maximum=100),
        default=15,
        title="Maximum reports in flight",
        description="How many reports may be requested and not yet read at once, across all streams: upcoming "
        "windows are requested while the current one is read. The default, 15, is createReport's burst: more "
        "would only wait for Amazon's one-a-minute refill. `wait_between_requests` makes it 1.",
    ),
    th.Property(
        "report_reuse_max_age_hours",
        th.NumberType(minimum=0),
        default=24,
        title="Reuse reports created within (hours)",
        description="Before requesting a report, use one of the same type, marketplaces and window that Amazon "
        "is still building (another app of the seller or an earlier sync asked for it) or that is DONE and was "
        "created within this many hours (found with one getReports call per report type; only for report types "
        "that take no report options, since Amazon's listing does not show them, and DONE ones for windowed "
        "reports only). A report requested by a sync that stopped before reading it is always picked up by the "
        "next sync (snapshot reports only within this age). 0 turns listing reuse off.",
    ),
    th.Property(
        "max_report_wait_seconds",
        th.IntegerType(minimum=1),
        default=3600,
        title="Maximum report wait (seconds)",
        description="How long to wait for one report to finish processing before cancelling it and failing.",
    ),
    th.Property(
        "fatal_report_retries",
        th.IntegerType(minimum=0, maximum=10),
        default=2,
        title="Retries of a FATAL report",
        description="How many times a report that ends FATAL is requested again before the sync fails.",
    ),
    th.Property(
        "fatal_retry_cooldown_seconds",
        th.NumberType(minimum=0),
        default=60,
        title="Cool-down before retrying a FATAL report (seconds)",
        description="How long a report type and marketplace rest after a FATAL report before it is requested "
        "again, for report types without an FBA regeneration limit (the FBA ones rest as the two settings below "
        "say). The other reports of the sync go on meanwhile.",
    ),
    th.Property(
        "fba_near_real_time_cooldown_seconds",
        th.NumberType(minimum=0),
        default=1800,
        title="Cool-down of near-real-time FBA reports after a FATAL (seconds)",
        description="Amazon generates a near-real-time FBA report (inventory, shipments, removals) at most once every "
        "30 minutes, counting the reports of every app of the seller: after one ends FATAL, or CANCELLED too soon "
        "after another, its type and marketplace are not requested again for this long.",
    ),
    th.Property(
        "fba_daily_cooldown_seconds",
        th.NumberType(minimum=0),
        default=14400,
        title="Cool-down of daily FBA reports after a FATAL (seconds)",
        description="Amazon generates a daily FBA report (returns, reimbursements, ledger, fees) at most once every "
        "4 hours: after one ends FATAL, or CANCELLED too soon after another, its type and marketplace are not "
        "requested again for this long.",
    ),
    th.Property(
        "max_cooldown_wait_seconds",
        th.NumberType(minimum=0),
        default=1800,
        title="Longest cool-down a sync waits out (seconds)",
        description="When only cooling-down reports are left, a sync waits for them this long at most. A stream "
        "partition whose cool-down ends later stops with its bookmark before the window, saying when a rerun can "
        "succeed; the other streams finish and the sync then exits with status 1. The default waits out a "
        "near-real-time FBA cool-down, never a daily one.",
    ),
    th.Property(
        "request_timeout_seconds",
        th.NumberType(minimum=0),
        default=60,
        title="Request timeout (seconds)",
        description="How long to wait for Amazon to answer a request, or to send the next part of a document, "
        "before the request counts as failed and is retried.",
    ),
    th.Property(
        "retry_base_seconds",
        th.NumberType(minimum=0),
        default=1,
        title="Retry back-off base (seconds)",
        description="Pause before the first retry of a throttled or failed request; it doubles with each of the "
        "8 tries (with jitter, capped at 60 s). Lower it only against a local simulator.",
    ),
    th.Property(
        "progress_interval_seconds",
        th.NumberType(minimum=0),
        default=60,
        title="Progress heartbeat (seconds)",
        description="While a sync waits for Amazon to build a report, it logs this often which report it waits "
        "for, its status, how long it has waited and how many reports are in flight.",
    ),
    th.Property(
        "sp_api_url",
        th.StringType,
        title="SP-API URL override",
        description="Replaces the regional SP-API host (proxies, tests). Must be https, except on loopback.",
    ),
    th.Property(
        "lwa_token_url",
        th.StringType,
        title="LWA token URL override",
        description="Replaces Amazon's LWA token URL. Must be https, except on loopback.",
    ),
).to_dict()

# Airbyte's config keys, accepted so that its config file works unchanged.
ALIASES = {
    "lwa_app_id": "lwa_client_id",
    "replication_start_date": "start_date",
    "replication_end_date": "end_date",
    "wait_to_avoid_fatal_errors": "wait_between_requests",
}
for _alias, _target in ALIASES.items():
    CONFIG_SCHEMA["properties"][_alias] = {
        **CONFIG_SCHEMA["properties"][_target],
        "description": f"Alias of `{_target}` (Airbyte's name).",
    }
CONFIG_SCHEMA["properties"]["report_options_list"] = {
    "type": ["array", "null"],
    "description": "Alias of `report_options` in Airbyte's shape: "
    "[{stream_name, options_list: [{option_name, option_value}]}].",
    "items": {"type": "object"},
}
# The Airbyte names, shown by Meltano as hidden settings (they would read as duplicates).
AIRBYTE_NAMES = (*ALIASES, "report_options_list")
# Checked after aliases are resolved (see `load_settings`), so `lwa_app_id` alone satisfies it.
REQUIRED = ("lwa_client_id", "lwa_client_secret", "refresh_token")

# Environment variables are text, and so are numbers Meltano passes for `kind: string` settings (its
# `decimal` kind makes a Decimal it cannot serialise): a number, whole number or boolean setting
# given as text is read as one. The words are those the SDK and Meltano read as booleans.
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


def _json_types(prop: Mapping[str, Any]) -> set[str]:
    types = prop.get("type", [])
    return {types} if isinstance(types, str) else set(types)


# This tap's own settings that are not text, by JSON type (aliases included).
TYPED_SETTINGS: dict[str, str] = {
    name: kind
    for name, prop in CONFIG_SCHEMA["properties"].items()
    for kind in ("boolean", "integer", "number")
    if kind in _json_types(prop)
}


def _from_text(kind: str, text: str) -> Any:
    """`text` read as a value of JSON type `kind`, or `text` itself when it is not one."""
    word = text.strip()
    if kind == "boolean":
        lowered = word.lower()
        return True if lowered in TRUE_WORDS else False if lowered in FALSE_WORDS else text
    if kind == "integer":
        return int(word) if re.fullmatch(r"[+-]?\d+", word) else text
    try:
        number = Decimal(word)
    except ArithmeticError:
        return text
    if not number.is_finite():
        return text
    return int(number) if re.fullmatch(r"[+-]?\d+", word) else float(number)


# Settings with a list of values, which the tap reads whatever their case (`us`, `vendor`).
CHOICES: dict[str, dict[str, str]] = {
    name: {str(value).upper(): str(value) for value in prop["enum"] if value is not None}
    for name, prop in CONFIG_SCHEMA["properties"].items()
    if "enum" in prop
}


def typed_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config with this tap's number and boolean settings read from text where they are text,
    and values of a list in the list's spelling.

    Text that is not such a value is left as it is, for the checks to name.
    """
    result = dict(config)
    for name, kind in TYPED_SETTINGS.items():
        value = result.get(name)
        if isinstance(value, str):
            result[name] = _from_text(kind, value)
    for name, choices in CHOICES.items():
        value = result.get(name)
        if isinstance(value, str):
            result[name] = choices.get(value.strip().upper(), value)
    return result


class SettingsError(ValueError):
    """A setting is wrong. The message names the setting and never holds a secret value."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting


@dataclass(frozen=True)
class Settings:
    """Validated settings, with defaults applied and aliases resolved."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    region: str
    sandbox: bool
    marketplace_ids: tuple[str, ...]
    account_type: str
    start: datetime
    end: datetime
    period_days: int
    report_options: Mapping[str, Mapping[str, str]]
    wait_between_requests: bool
    max_reports_in_flight: int
    report_reuse_max_age_hours: float
    max_report_wait: float
    fatal_retries: int
    fatal_cooldown: float
    sp_api_url: str
    token_url: str
    request_timeout: float = 60.0
    retry_base: float = 1.0
    progress_interval: float = 60.0
    lookback_days: int = 3
    include_pii: bool = False
    fba_near_real_time_cooldown: float = 1800.0
    fba_daily_cooldown: float = 14400.0
    max_cooldown_wait: float = 1800.0


def resolve_aliases(config: Mapping[str, Any]) -> dict[str, Any]:
    """Copy Airbyte-named keys to ours; our own name wins when both are given."""
    resolved = dict(config)
    for alias, target in ALIASES.items():
        if resolved.get(target) is None and resolved.get(alias) is not None:
            resolved[target] = resolved[alias]
    if resolved.get("report_options") is None and resolved.get("report_options_list"):
        resolved["report_options"] = [
            {
                "stream_name": item.get("stream_name") or item.get("report_name"),
                "options": {o.get("option_name"): o.get("option_value") for o in item.get("options_list") or []},
            }
            for item in resolved["report_options_list"]
            if isinstance(item, dict)
        ]
    return resolved


def _parse_datetime(setting: str, value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = date_parser.isoparse(str(value))
        except (ValueError, OverflowError):
            raise SettingsError(
                setting, f"{value!r} is not an ISO 8601 date-time (e.g. 2024-01-01T00:00:00Z)"
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _check_url(setting: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    url = str(value).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(setting, f"{url!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise SettingsError(setting, "must use https (plain http is allowed only on loopback)")
    return url


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, where plain http cannot be intercepted."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _marketplace_ids(raw: Any, region: marketplaces.Marketplace) -> tuple[str, ...]:
    if raw in (None, [], ""):
        return (region.marketplace_id,)
    if not isinstance(raw, list):
        raise SettingsError("marketplace_ids", "must be a list of marketplace IDs")
    ids: list[str] = []
    for item in raw:
        text = str(item).strip()
        market = marketplaces.BY_ID.get(text) or marketplaces.by_country(text)
        if market is None:
            raise SettingsError("marketplace_ids", f"{text!r} is not a known marketplace ID or country code")
        if market.region != region.region:
            raise SettingsError(
                "marketplace_ids",
                f"{market.marketplace_id} ({market.country}) is served by the {market.region} host, "
                f"not by the {region.region} host of region {region.country}",
            )
        if market.marketplace_id not in ids:
            ids.append(market.marketplace_id)
    return tuple(ids)


def _report_options(raw: Any, known_streams: frozenset[str]) -> dict[str, dict[str, str]]:
    if raw in (None, []):
        return {}
    if not isinstance(raw, list):
        raise SettingsError("report_options", "must be a list of {stream_name, options}")
    result: dict[str, dict[str, str]] = {}
    for item in raw:
        if not isinstance(item, dict) or not item.get("stream_name"):
            raise SettingsError("report_options", "each entry needs a stream_name and options")
        name = str(item["stream_name"])
        if name not in known_streams:
            raise SettingsError("report_options", f"unknown stream {name!r}")
        options = item.get("options") or {}
        if not isinstance(options, dict):
            raise SettingsError("report_options", f"options of {name} must be an object of name: value")
        result.setdefault(name, {}).update({str(k): _option_text(v) for k, v in options.items() if k})
    return result


def _analytics_options(options: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Check the options Amazon requires of analytics reports, and fill in the defaults.

    A stream split from a report (`..._AGGREGATE`) takes the options given for the report's main
    stream, unless it has its own.
    """
    for spec in catalogue.REPORTS:
        rules = catalogue.ANALYTICS.get(spec.report_type)
        if rules is None:
            continue
        given = {**options.get(spec.report_type, {}), **options.get(spec.stream, {})}
        resolved: dict[str, str] = {}
        for name, value in given.items():
            rule = rules.options.get(name)
            if rule is None:
                raise SettingsError(
                    f"report_options.{spec.stream}.{name}",
                    f"not an option of {spec.report_type} (it takes {', '.join(rules.options)})",
                )
            text = value.strip().upper()
            if text not in rule.allowed:
                raise SettingsError(
                    f"report_options.{spec.stream}.{name}", f"{value!r} must be one of {', '.join(rule.allowed)}"
                )
            resolved[name] = text
        options[spec.stream] = {name: resolved.get(name, rule.default) for name, rule in rules.options.items()}
    return options


def _option_text(value: Any) -> str:
    # Amazon takes every reportOptions value as a string; JSON booleans become "true"/"false".
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_settings(config: Mapping[str, Any], *, known_streams: frozenset[str], now: datetime | None = None) -> Settings:
    """Check every setting and build `Settings`; raise `SettingsError` on the first bad one."""
    cfg = typed_config(resolve_aliases(config))
    now = now or datetime.now(timezone.utc)
    for name in REQUIRED:
        value = cfg.get(name)
        if value is None or not str(value).strip():
            raise SettingsError(name, "is required and missing or empty")
        if not isinstance(value, str):
            raise SettingsError(name, "must be a string")

    region_code = str(cfg.get("region") or "US")
    region = marketplaces.by_country(region_code)
    if region is None:
        raise SettingsError(
            "region", f"{region_code!r} is not a supported country code (one of {' '.join(marketplaces.COUNTRIES)}, GB)"
        )
    environment = str(cfg.get("aws_environment") or "PRODUCTION").upper()
    if environment not in ("PRODUCTION", "SANDBOX"):
        raise SettingsError("aws_environment", f"{environment!r} must be PRODUCTION or SANDBOX")
    account_type = str(cfg.get("account_type") or "Seller").capitalize()
    if account_type not in ("Seller", "Vendor"):
        raise SettingsError("account_type", f"{cfg.get('account_type')!r} must be Seller or Vendor")

    start = _parse_datetime("start_date", cfg.get("start_date")) or now - timedelta(days=DEFAULT_LOOKBACK_YEARS_DAYS)
    end = _parse_datetime("end_date", cfg.get("end_date")) or now
    end = min(end, now)
    if start > now:
        raise SettingsError("start_date", "is in the future")
    if end <= start:
        raise SettingsError("end_date", "must be after start_date")

    period = cfg.get("period_in_days", 90)
    if isinstance(period, bool) or not isinstance(period, int) or not 1 <= period <= 365:
        raise SettingsError("period_in_days", "must be a whole number of days from 1 to 365")

    sandbox = environment == "SANDBOX"
    sp_api_url = _check_url("sp_api_url", cfg.get("sp_api_url")) or marketplaces.host_for(
        region.region, sandbox=sandbox
    )
    token_url = _check_url("lwa_token_url", cfg.get("lwa_token_url")) or marketplaces.LWA_TOKEN_URL

    def _number(name: str, default: float) -> float:
        value = cfg.get(name, default)
        if value is None:
            return default
        # The SDK reads JSON config files with Decimal for non-integral numbers.
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or value < 0:
            raise SettingsError(name, "must be a non-negative number")
        return float(value)

    def _whole(name: str, default: int, low: int, high: int) -> int:
        value = cfg.get(name, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SettingsError(name, f"must be a whole number from {low} to {high}")
        return value

    def _flag(name: str) -> bool:
        value = cfg.get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise SettingsError(name, "must be true or false")
        return value

    request_timeout = _number("request_timeout_seconds", 60)
    if request_timeout <= 0:
        raise SettingsError("request_timeout_seconds", "must be more than 0 seconds")
    retry_base = _number("retry_base_seconds", 1)
    if retry_base <= 0:
        raise SettingsError("retry_base_seconds", "must be more than 0 seconds")
    progress_interval = _number("progress_interval_seconds", 60)
    if progress_interval <= 0:
        raise SettingsError("progress_interval_seconds", "must be more than 0 seconds")

    return Settings(
        client_id=str(cfg["lwa_client_id"]).strip(),
        # Pasted credentials often carry a space or a line break; Amazon's never do.
        client_secret=str(cfg["lwa_client_secret"]).strip(),
        refresh_token=str(cfg["refresh_token"]).strip(),
        region=region.region,
        sandbox=sandbox,
        marketplace_ids=_marketplace_ids(cfg.get("marketplace_ids"), region),
        account_type=account_type,
        start=start,
        end=end,
        period_days=period,
        report_options=_analytics_options(_report_options(cfg.get("report_options"), known_streams)),
        wait_between_requests=_flag("wait_between_requests"),
        max_reports_in_flight=_whole("max_reports_in_flight", 15, 1, 100),
        report_reuse_max_age_hours=_number("report_reuse_max_age_hours", 24),
        max_report_wait=_number("max_report_wait_seconds", 3600),
        fatal_retries=_whole("fatal_report_retries", 2, 0, 10),
        fatal_cooldown=_number("fatal_retry_cooldown_seconds", 60),
        fba_near_real_time_cooldown=_number("fba_near_real_time_cooldown_seconds", 1800),
        fba_daily_cooldown=_number("fba_daily_cooldown_seconds", 14400),
        max_cooldown_wait=_number("max_cooldown_wait_seconds", 1800),
        sp_api_url=sp_api_url,
        token_url=token_url,
        request_timeout=request_timeout,
        retry_base=retry_base,
        progress_interval=progress_interval,
        lookback_days=_whole("lookback_days", 3, 0, 60),
        include_pii=_flag("include_pii"),
    )
