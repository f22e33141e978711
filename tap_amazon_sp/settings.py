"""The tap's settings: one table of them, the JSON schema and the typed `Settings` it makes, and the checks.

`SETTINGS` declares every setting once. `CONFIG_SCHEMA`, made from it, is what `--about` and Meltano
show, and it checks each setting's type, range and list of values. `load_settings` turns a raw config
into a `Settings` object, checking in code only what the schema cannot say (dates and URLs that must
parse, settings that depend on each other), or raises `SettingsError` naming the first bad setting,
without echoing secrets.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from dateutil import parser as date_parser
from jsonschema import Draft202012Validator, validators
from singer_sdk import typing as th

from tap_amazon_sp import catalogue, marketplaces
from tap_amazon_sp.batches import BATCH_FORMATS, DEFAULT_BATCH_SIZE, BatchTarget

DEFAULT_LOOKBACK_YEARS_DAYS = 730


class Kind(Enum):
    """What a setting's value is: its JSON type, and how the tap reads it."""

    TEXT = "text"
    URL = "an http(s) URL"
    CHOICE = "one of a list"
    DATE_TIME = "a date-time"
    WHOLE = "a whole number"
    NUMBER = "a number"
    FLAG = "true or false"
    TEXT_LIST = "a list of text"
    REPORT_OPTIONS = "report options"
    AIRBYTE_REPORT_OPTIONS = "report options in Airbyte's shape"


@dataclass(frozen=True)
class Setting:
    """One setting: its schema (type, default, bounds, values, words) and where `Settings` keeps it.

    `attribute` names the `Settings` field that holds the value as read (default applied); it is
    empty for a setting `load_settings` combines with others. `problem` is the one line the tap
    says when the schema refuses the value; the value itself is named only for a list of values
    and a date-time (never a secret).
    """

    name: str
    kind: Kind
    _: KW_ONLY
    description: str
    title: str | None = None
    default: str | int | bool | None = None
    minimum: int | None = None
    maximum: int | None = None
    more_than: int | None = None
    choices: tuple[str, ...] = ()
    required: bool = False
    secret: bool = False
    aliases: tuple[str, ...] = ()
    airbyte: bool = False
    attribute: str = ""
    problem: str = ""

    def __post_init__(self) -> None:
        # A secret is text, whose one-line problem never quotes it.
        assert not self.secret or self.kind is Kind.TEXT, self.name
        if not self.problem:
            object.__setattr__(self, "problem", self._default_problem())

    def _default_problem(self) -> str:
        if self.kind is Kind.WHOLE:
            if self.maximum is None:
                return f"must be a whole number of at least {self.minimum}"
            return f"must be a whole number from {self.minimum} to {self.maximum}"
        if self.kind is Kind.NUMBER:
            return (
                f"must be more than {self.more_than}" if self.more_than is not None else "must be a non-negative number"
            )
        return {
            Kind.FLAG: "must be true or false",
            Kind.CHOICE: f"must be one of {', '.join(self.choices)}",
            Kind.DATE_TIME: "is not an ISO 8601 date-time (e.g. 2024-01-01T00:00:00Z)",
            Kind.URL: "must be an http(s) URL",
            Kind.TEXT_LIST: "must be a list of text",
            Kind.REPORT_OPTIONS: "must be a list of {stream_name, options}",
            Kind.AIRBYTE_REPORT_OPTIONS: "must be a list of {stream_name, options_list}",
        }.get(self.kind, "must be a string")

    @property
    def names_value(self) -> bool:
        """Whether the one-line problem quotes the value given (a choice or a date, never a secret)."""
        return self.kind in (Kind.CHOICE, Kind.DATE_TIME)

    def json_type(self) -> th.JSONTypeHelper[Any]:
        if self.kind is Kind.WHOLE:
            return th.IntegerType(minimum=self.minimum, maximum=self.maximum)
        if self.kind is Kind.NUMBER:
            return th.NumberType(minimum=self.minimum, exclusive_minimum=self.more_than)
        if self.kind is Kind.REPORT_OPTIONS:
            return th.ArrayType(
                th.ObjectType(
                    th.Property("stream_name", th.StringType, required=True),
                    th.Property("options", th.ObjectType(additional_properties=True), required=True),
                )
            )
        simple: dict[Kind, type[th.JSONTypeHelper[Any]] | th.JSONTypeHelper[Any]] = {
            Kind.DATE_TIME: th.DateTimeType,
            Kind.FLAG: th.BooleanType,
            Kind.TEXT_LIST: th.ArrayType(th.StringType),
        }
        found = simple.get(self.kind, th.StringType)
        return found if isinstance(found, th.JSONTypeHelper) else found()

    def property(self) -> th.Property[Any]:
        """The setting in `CONFIG_SCHEMA`."""
        return th.Property(
            self.name,
            self.json_type(),
            required=self.required,
            default=self.default,
            description=self.description,
            secret=self.secret,
            allowed_values=list(self.choices) or None,
            title=self.title,
        )

    def airbyte_property(self) -> dict[str, Any]:
        """An Airbyte name in its own shape: only that shape is checked, it is read as the setting it names."""
        return {"type": ["array", "null"], "description": self.description, "items": {"type": "object"}}

    def read(self, value: Any) -> Any:
        """The value, which `CONFIG_SCHEMA` accepted, as the tap uses it: the default when none is given."""
        if value is None or (value == "" and self.kind in (Kind.URL, Kind.DATE_TIME)):
            return self.default
        if self.kind is Kind.DATE_TIME:
            return _parse_datetime(self, str(value))
        if self.kind is Kind.URL:
            return _check_url(self.name, str(value))
        if self.kind is Kind.NUMBER:
            # The SDK reads JSON config files with Decimal for non-integral numbers.
            return float(value)
        if self.kind is Kind.TEXT:
            # Pasted credentials often carry a space or a line break; Amazon's never do.
            return str(value).strip()
        return value

    def refusal(self, value: Any, where: list[Any]) -> str:
        """The one line for a value `CONFIG_SCHEMA` refuses; `where` is the path inside the value."""
        if self.kind is Kind.REPORT_OPTIONS and where:
            entry = value[where[0]]
            if where[1:2] == ["options"] and isinstance(entry, dict):
                return f"options of {entry.get('stream_name')} must be an object of name: value"
            return "each entry needs a stream_name and options"
        if self.names_value and value is not None:
            return f"{value!r} {self.problem}"
        return self.problem


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "lwa_client_id",
        Kind.TEXT,
        required=True,
        title="LWA client ID",
        description="Login with Amazon client ID of your SP-API app (amzn1.application-oa2-client...). "
        "Airbyte's `lwa_app_id` is accepted as an alias.",
        aliases=("lwa_app_id",),
        attribute="client_id",
    ),
    Setting(
        "lwa_client_secret",
        Kind.TEXT,
        required=True,
        secret=True,
        title="LWA client secret",
        description="Login with Amazon client secret of your SP-API app.",
        attribute="client_secret",
    ),
    Setting(
        "refresh_token",
        Kind.TEXT,
        required=True,
        secret=True,
        title="Refresh token",
        description="Refresh token (Atzr|...) from the app's OAuth authorization or self-authorization "
        "in Seller Central.",
        attribute="refresh_token",
    ),
    Setting(
        "app_id",
        Kind.TEXT,
        title="App ID",
        description="The app's ID (amzn1.sellerapps.app...). Informational only.",
    ),
    Setting(
        "aws_environment",
        Kind.CHOICE,
        default="PRODUCTION",
        choices=("PRODUCTION", "SANDBOX"),
        title="AWS environment",
        description="PRODUCTION for live data; SANDBOX uses Amazon's sandbox hosts.",
        problem="must be PRODUCTION or SANDBOX",
    ),
    Setting(
        "region",
        Kind.CHOICE,
        default="US",
        choices=(*marketplaces.COUNTRIES, *marketplaces.COUNTRY_ALIASES),
        title="Region (country code)",
        description="Country code of your main marketplace: "
        + " ".join(marketplaces.COUNTRIES)
        + " (GB = UK). Selects the SP-API host and the default marketplace.",
        problem=f"is not a supported country code (one of {' '.join(marketplaces.COUNTRIES)}, GB)",
    ),
    Setting(
        "marketplace_ids",
        Kind.TEXT_LIST,
        title="Marketplace IDs",
        description="Marketplaces to sync (IDs such as A1PA6795UKMFR9, or country codes), all served by the "
        "region's host. Default: the region's marketplace.",
        problem="must be a list of marketplace IDs",
    ),
    Setting(
        "account_type",
        Kind.CHOICE,
        default="Seller",
        choices=("Seller", "Vendor"),
        title="Account type",
        description="Seller or Vendor: decides which streams exist. Vendor: the vendor retail analytics reports "
        "(sales, inventory, traffic, margin, forecast, real-time) and Brand Analytics search terms, and no seller "
        "API is called. Seller: the seller reports and APIs, and Brand Analytics search terms for sellers in Brand "
        "Registry.",
        problem="must be Seller or Vendor",
        attribute="account_type",
    ),
    Setting(
        "account_id",
        Kind.TEXT,
        default="",
        title="Account ID",
        description="Names the selling account in every record's `account_id` column, the first part of every "
        "stream's key, so that several accounts load into the same tables without overwriting each other's rows. "
        "Give each account its own: its selling partner ID (Seller Central: Settings, Account Info, Merchant "
        "Token; for a vendor, its vendor code) or any stable name. Amazon's API does not say which account a "
        "refresh token belongs to. Default: empty, enough for a single account; set it before the first load, "
        "since a row keyed by another value is another row.",
        attribute="account_id",
    ),
    Setting(
        "start_date",
        Kind.DATE_TIME,
        title="Start date",
        description="UTC date-time; no data before it is synced. Default: two years before now. "
        "Airbyte's `replication_start_date` is accepted as an alias.",
        aliases=("replication_start_date",),
    ),
    Setting(
        "end_date",
        Kind.DATE_TIME,
        title="End date",
        description="UTC date-time; no data after it is synced. Default: now. "
        "Airbyte's `replication_end_date` is accepted as an alias.",
        aliases=("replication_end_date",),
    ),
    Setting(
        "period_in_days",
        Kind.WHOLE,
        minimum=1,
        maximum=365,
        default=90,
        title="Period in days",
        description="Size of the report windows of a sync, in days (1-365); each report type also has its own "
        "cap (30 days for order reports, 60 for returns), the smaller wins.",
        problem="must be a whole number of days from 1 to 365",
        attribute="period_days",
    ),
    Setting(
        "report_options",
        Kind.REPORT_OPTIONS,
        title="Report options",
        description="Per stream, options sent as `reportOptions` to createReport, e.g. "
        '[{"stream_name": "GET_SALES_AND_TRAFFIC_REPORT", "options": {"asinGranularity": "SKU"}}]. '
        "Airbyte's `report_options_list` is accepted as an alias. Vendor and Brand Analytics reports need "
        "`reportPeriod` (DAY, WEEK, MONTH, QUARTER, YEAR), vendor sales and inventory also `distributorView` "
        "(MANUFACTURING, SOURCING) and `sellingProgram` (RETAIL, BUSINESS, FRESH): checked before any request, "
        "DAY, MANUFACTURING and RETAIL when not given (search terms: WEEK). The vendor forecast takes `sellingProgram` "
        "(RETAIL, the default, or FRESH), real-time sales an optional `currencyCode`. A `_AGGREGATE` stream takes the "
        "options of its report's stream unless it has its own. Coupon and promotion streams take none: the tap sets "
        "their start-date options from the window. Search catalog performance takes `reportPeriod` (WEEK, the "
        "default, MONTH, QUARTER) and `asins`, at most 200 characters of space-separated ASINs (default: all the "
        "brand's); search query performance `reportPeriod` and `asin`, any number of ASINs, sent 18 a request "
        "(default: the brand's ASINs, found with one search catalog performance report per period).",
    ),
    Setting(
        "wait_between_requests",
        Kind.FLAG,
        default=False,
        title="Wait between requests",
        description="Pace report creation conservatively to avoid FATAL statuses: one report at a time, "
        "created no faster than Amazon's sustained rate (no bursts). "
        "Airbyte's `wait_to_avoid_fatal_errors` is accepted as an alias.",
        aliases=("wait_to_avoid_fatal_errors",),
        attribute="wait_between_requests",
    ),
    Setting(
        "lookback_days",
        Kind.WHOLE,
        minimum=0,
        maximum=60,
        default=3,
        title="Look-back (days)",
        description="Each incremental sync re-reads this many days before its bookmark, so rows Amazon adds or "
        "changes late are not lost (records are upserted by key, so the overlap is harmless). The default, 3, "
        "covers Amazon's documented delays: finances may miss the last 48 hours, vendor analytics arrive up to "
        "72 hours late, FBA shipments lag up to 24 hours. 0 turns it off.",
        attribute="lookback_days",
    ),
    Setting(
        "catalog_refresh_days",
        Kind.WHOLE,
        minimum=0,
        maximum=365,
        default=7,
        title="Catalog refresh (days)",
        description="catalog_items reads each ASIN's catalog details (title, brand, attributes, dimensions, sales "
        "ranks) from Amazon at most once in this many days, per marketplace: a sync asks only for the ASINs it has "
        "never read or last read this long ago (less an hour, so that a sync scheduled every N days is never one "
        "run late). The state keeps when each ASIN was read. 0 reads every ASIN on every sync (sales ranks as "
        "fresh as the schedule).",
        attribute="catalog_refresh_days",
    ),
    Setting(
        "include_pii",
        Kind.FLAG,
        default=False,
        title="Include PII",
        description="Sync buyer-identifying fields (needs Amazon's restricted PII roles): the buyer and recipient "
        "of orders, the customer's address of Direct Fulfillment orders, and the names, emails, phone numbers and street addresses of buyers and recipients in reports "
        "(FBA shipments, seller feedback, and columns Amazon adds under such names). Off: orders do not request "
        "them and those report values are null (city, state, postal code and country stay). They are never logged.",
        attribute="include_pii",
    ),
    Setting(
        "newest_first",
        Kind.FLAG,
        default=True,
        title="Newest windows first",
        description="On a first sync, and whenever a report stream is more than `period_in_days` (and 30 days) "
        "behind, read "
        "each stream's most recent window first, for every selected report stream, then the older ones, back to "
        "`start_date`: last week's data is in within minutes instead of at the end of an hours-long sync. The "
        "bookmark (`replication_key_value`) still only ever means everything up to it is loaded: the newer "
        "windows already loaded are kept beside it in `loaded_range` until the backfill reaches them. Off: oldest "
        "window first, one stream after another.",
        attribute="newest_first",
    ),
    Setting(
        "max_reports_in_flight",
        Kind.WHOLE,
        minimum=1,
        maximum=100,
        title="Maximum reports in flight",
        description="How many reports may be requested and not yet read at once, across all streams: upcoming "
        "windows are requested while the current one is read. Default: auto, sized so that it never slows the "
        "sync: 15 (createReport's burst) to start with, then Amazon's average build time of the sync's reports "
        "so far times createReport's rate (one a minute) plus one, as many as the quota can request while one "
        "is built, and 60 at most. A number here is used as it is. `wait_between_requests` makes it 1.",
        problem="must be a whole number from 1 to 100, or unset for auto",
        attribute="max_reports_in_flight",
    ),
    Setting(
        "report_reuse_max_age_hours",
        Kind.NUMBER,
        minimum=0,
        default=24,
        title="Reuse reports created within (hours)",
        description="Before requesting a report, use one of the same type, marketplaces and window that Amazon "
        "is still building (another app of the seller or an earlier sync asked for it) or that is DONE and was "
        "created within this many hours (found with one getReports call per report type; only for report types "
        "that take no report options, since Amazon's listing does not show them, and DONE ones for windowed "
        "reports only). A report requested by a sync that stopped before reading it is always picked up by the "
        "next sync (snapshot reports only within this age). 0 turns listing reuse off.",
        attribute="report_reuse_max_age_hours",
    ),
    Setting(
        "max_report_wait_seconds",
        Kind.WHOLE,
        minimum=1,
        default=3600,
        title="Maximum report wait (seconds)",
        description="How long to wait for one report to finish processing before cancelling it and failing.",
        problem="must be a whole number of seconds, at least 1",
        attribute="max_report_wait",
    ),
    Setting(
        "fatal_report_retries",
        Kind.WHOLE,
        minimum=0,
        maximum=10,
        default=2,
        title="Retries of a FATAL report",
        description="How many times a report that ends FATAL is requested again before the sync fails.",
        attribute="fatal_retries",
    ),
    Setting(
        "fatal_retry_cooldown_seconds",
        Kind.NUMBER,
        minimum=0,
        default=60,
        title="Cool-down before retrying a FATAL report (seconds)",
        description="How long a report type and marketplace rest after a FATAL report before it is requested "
        "again, for report types without an FBA regeneration limit (the FBA ones rest as the two settings below "
        "say). The other reports of the sync go on meanwhile.",
        attribute="fatal_cooldown",
    ),
    Setting(
        "fba_near_real_time_cooldown_seconds",
        Kind.NUMBER,
        minimum=0,
        default=1800,
        title="Cool-down of near-real-time FBA reports after a FATAL (seconds)",
        description="Amazon generates a near-real-time FBA report (inventory, shipments, removals) at most once every "
        "30 minutes, counting the reports of every app of the seller: after one ends FATAL, or CANCELLED too soon "
        "after another, its type and marketplace are not requested again for this long.",
        attribute="fba_near_real_time_cooldown",
    ),
    Setting(
        "fba_daily_cooldown_seconds",
        Kind.NUMBER,
        minimum=0,
        default=14400,
        title="Cool-down of daily FBA reports after a FATAL (seconds)",
        description="Amazon generates a daily FBA report (returns, reimbursements, ledger, fees) at most once every "
        "4 hours: after one ends FATAL, or CANCELLED too soon after another, its type and marketplace are not "
        "requested again for this long.",
        attribute="fba_daily_cooldown",
    ),
    Setting(
        "max_cooldown_wait_seconds",
        Kind.NUMBER,
        minimum=0,
        default=1800,
        title="Longest cool-down a sync waits out (seconds)",
        description="When only cooling-down reports are left, a sync waits for them this long at most. A stream "
        "partition whose cool-down ends later stops with its bookmark before the window, saying when a rerun can "
        "succeed; the other streams finish and the sync then exits with status 1. The default waits out a "
        "near-real-time FBA cool-down, never a daily one.",
        attribute="max_cooldown_wait",
    ),
    Setting(
        "request_timeout_seconds",
        Kind.NUMBER,
        more_than=0,
        default=60,
        title="Request timeout (seconds)",
        description="How long to wait for Amazon to answer a request, or to send the next part of a document, "
        "before the request counts as failed and is retried.",
        problem="must be more than 0 seconds",
        attribute="request_timeout",
    ),
    Setting(
        "retry_base_seconds",
        Kind.NUMBER,
        more_than=0,
        default=1,
        title="Retry back-off base (seconds)",
        description="Pause before the first retry of a throttled or failed request; it doubles with each of the "
        "8 tries (with jitter, capped at 60 s). Lower it only against a local simulator.",
        problem="must be more than 0 seconds",
        attribute="retry_base",
    ),
    Setting(
        "progress_interval_seconds",
        Kind.NUMBER,
        more_than=0,
        default=60,
        title="Progress heartbeat (seconds)",
        description="While a sync waits for Amazon to build a report, it logs this often which report it waits "
        "for, its status, how long it has waited and how many reports are in flight.",
        problem="must be more than 0 seconds",
        attribute="progress_interval",
    ),
    Setting(
        "sp_api_url",
        Kind.URL,
        title="SP-API URL override",
        description="Replaces the regional SP-API host (proxies, tests). Must be https, except on loopback.",
    ),
    Setting(
        "lwa_token_url",
        Kind.URL,
        title="LWA token URL override",
        description="Replaces Amazon's LWA token URL. Must be https, except on loopback.",
    ),
    Setting(
        "report_options_list",
        Kind.AIRBYTE_REPORT_OPTIONS,
        airbyte=True,
        description="Alias of `report_options` in Airbyte's shape: "
        "[{stream_name, options_list: [{option_name, option_value}]}].",
    ),
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
# Airbyte's config keys, accepted so that its config file works unchanged: alias -> our name.
ALIASES: dict[str, str] = {alias: setting.name for setting in SETTINGS for alias in setting.aliases}
# The Airbyte names, shown by Meltano as hidden settings (they would read as duplicates).
AIRBYTE_NAMES = (*ALIASES, *(setting.name for setting in SETTINGS if setting.airbyte))
SECRETS = tuple(setting.name for setting in SETTINGS if setting.secret)
# Checked after aliases are resolved (see `load_settings`), so `lwa_app_id` alone satisfies it.
REQUIRED = tuple(setting.name for setting in SETTINGS if setting.required)
# Every key a config may use, Airbyte's included, and the setting it states.
_STATED_BY: dict[str, Setting] = {**BY_NAME, **{alias: BY_NAME[name] for alias, name in ALIASES.items()}}


def _config_schema() -> dict[str, Any]:
    schema: dict[str, Any] = th.PropertiesList(
        *(setting.property() for setting in SETTINGS if not setting.airbyte)
    ).to_dict()
    properties = schema["properties"]
    for alias, name in ALIASES.items():
        properties[alias] = {**properties[name], "description": f"Alias of `{name}` (Airbyte's name)."}
    properties.update({setting.name: setting.airbyte_property() for setting in SETTINGS if setting.airbyte})
    return schema


CONFIG_SCHEMA = _config_schema()

# Whole numbers are whole in the config: 2.0 is refused, as `int` alone is a whole number to the tap.
_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)
_VALIDATOR = _Validator(CONFIG_SCHEMA)

# Environment variables are text, and so are numbers Meltano passes for `kind: string` settings (its
# `decimal` kind makes a Decimal it cannot serialise): a number, whole number or boolean setting
# given as text is read as one. The words are those the SDK and Meltano read as booleans.
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
_JSON_TYPES = {Kind.FLAG: "boolean", Kind.WHOLE: "integer", Kind.NUMBER: "number"}

# This tap's own settings that are not text, by JSON type (aliases included).
TYPED_SETTINGS: dict[str, str] = {
    name: _JSON_TYPES[setting.kind] for name, setting in _STATED_BY.items() if setting.kind in _JSON_TYPES
}
# Settings with a list of values, which the tap reads whatever their case (`us`, `vendor`).
CHOICES: dict[str, dict[str, str]] = {
    setting.name: {value.upper(): value for value in setting.choices} for setting in SETTINGS if setting.choices
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
    """Validated settings, with defaults applied and aliases resolved.

    The fields named by a setting's `attribute` hold its value as read; the others `load_settings`
    makes from several settings. Defaults live in `SETTINGS`, not here.
    """

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    region: str
    sandbox: bool
    marketplace_ids: tuple[str, ...]
    account_type: str
    account_id: str
    start: datetime
    end: datetime
    period_days: int
    report_options: Mapping[str, Mapping[str, str]]
    wait_between_requests: bool
    max_reports_in_flight: int | None  # None: sized by the scheduler (quota.InFlightLimit)
    report_reuse_max_age_hours: float
    max_report_wait: int
    fatal_retries: int
    fatal_cooldown: float
    sp_api_url: str
    token_url: str
    request_timeout: float
    retry_base: float
    progress_interval: float
    lookback_days: int
    include_pii: bool
    newest_first: bool
    catalog_refresh_days: int
    fba_near_real_time_cooldown: float
    fba_daily_cooldown: float
    max_cooldown_wait: float
    # From the SDK's built-in `batch_config`: None writes RECORD messages only.
    batch: BatchTarget | None = None


def resolve_aliases(config: Mapping[str, Any]) -> dict[str, Any]:
    """Copy Airbyte-named keys to ours; our own name wins when both are given."""
    resolved = dict(config)
    for alias, target in ALIASES.items():
        if resolved.get(target) is None and resolved.get(alias) is not None:
            resolved[target] = resolved[alias]
    airbyte = resolved.get("report_options_list")
    if resolved.get("report_options") is None and airbyte and isinstance(airbyte, list):
        resolved["report_options"] = [_from_airbyte(item) for item in airbyte if isinstance(item, dict)]
    return resolved


def _from_airbyte(item: Mapping[str, Any]) -> dict[str, Any]:
    """One `report_options_list` entry as a `report_options` one; a malformed list of options is
    passed on as it is, for the check of `report_options` to name."""
    listed = item.get("options_list") or []
    options: Any = listed
    if isinstance(listed, list) and all(isinstance(option, dict) for option in listed):
        options = {option.get("option_name"): option.get("option_value") for option in listed}
    return {"stream_name": item.get("stream_name") or item.get("report_name"), "options": options}


def _schema_problem(config: Mapping[str, Any]) -> SettingsError | None:
    """The first setting `CONFIG_SCHEMA` refuses (type, range or list of values), in its words."""
    for error in _VALIDATOR.iter_errors(config):
        path = list(error.absolute_path)
        if not path or str(path[0]) not in _STATED_BY:
            continue
        name = str(path[0])
        return SettingsError(name, _STATED_BY[name].refusal(config[name], path[1:]))
    return None


def _parse_datetime(setting: Setting, value: str) -> datetime:
    try:
        parsed = date_parser.isoparse(value)
    except (ValueError, OverflowError):
        raise SettingsError(setting.name, setting.refusal(value, [])) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _check_url(setting: str, value: str) -> str:
    url = value.rstrip("/")
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


def _marketplace_ids(given: list[str] | None, region: marketplaces.Marketplace) -> tuple[str, ...]:
    if not given:
        return (region.marketplace_id,)
    ids: list[str] = []
    for item in given:
        text = item.strip()
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


def _report_options(given: list[dict[str, Any]] | None, known_streams: frozenset[str]) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for item in given or []:
        name = item["stream_name"]
        if not name:
            raise SettingsError("report_options", "each entry needs a stream_name and options")
        if name not in known_streams:
            raise SettingsError("report_options", f"unknown stream {name!r}")
        result.setdefault(name, {}).update({str(k): _option_text(v) for k, v in item["options"].items() if k})
    return result


def _analytics_options(options: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Check the options Amazon requires of analytics reports, and fill in the defaults.

    A stream split from a report (`..._AGGREGATE`) takes the options given for the report's main
    stream, unless it has its own.
    """
    for spec in catalogue.REPORTS:
        rules = spec.analytics
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
            if rule.asin_list:
                try:
                    resolved[name] = catalogue.asin_list(text, rule)
                except ValueError as exc:
                    raise SettingsError(f"report_options.{spec.stream}.{name}", str(exc)) from None
                continue
            if text not in rule.allowed:
                raise SettingsError(
                    f"report_options.{spec.stream}.{name}", f"{value!r} must be one of {', '.join(rule.allowed)}"
                )
            resolved[name] = text
        # An optional option (no default) is sent only when given.
        options[spec.stream] = {
            name: resolved.get(name, rule.default)
            for name, rule in rules.options.items()
            if name in resolved or rule.default
        }
    return options


def _window_options(options: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Refuse options for reports whose only options are their window, which the tap sets."""
    for spec in catalogue.REPORTS:
        dates = spec.window.option_dates
        given = options.get(spec.stream)
        if dates is None or not given:
            continue
        name = next(iter(given))
        problem = (
            "is set by the tap from start_date, end_date and the bookmark"
            if name in (dates.start, dates.end)
            else f"not an option of {spec.report_type} (it takes {dates.start} and {dates.end}, which the tap "
            "sets from start_date, end_date and the bookmark)"
        )
        raise SettingsError(f"report_options.{spec.stream}.{name}", problem)
    return options


def _option_text(value: Any) -> str:
    # Amazon takes every reportOptions value as a string; JSON booleans become "true"/"false".
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def account_type(config: Mapping[str, Any]) -> str:
    """The account type `config` names, read as `load_settings` reads it: the streams a tap has
    are known before its config is checked (discovery, the README's tables)."""
    given = typed_config(config).get("account_type")
    return str(given or BY_NAME["account_type"].default)


def region_of(config: Mapping[str, Any]) -> str | None:
    """The region (NA, EU or FE) whose host `config`'s region uses, read as `load_settings` reads it
    (None for a region it would refuse): the streams a tap has depend on it."""
    given = typed_config(resolve_aliases(config)).get("region")
    found = marketplaces.by_country(str(given or BY_NAME["region"].default))
    return found.region if found is not None else None


def load_settings(config: Mapping[str, Any], *, known_streams: frozenset[str], now: datetime | None = None) -> Settings:
    """Check every setting and build `Settings`; raise `SettingsError` on the first bad one.

    `CONFIG_SCHEMA` checks each setting alone; what is checked here reads a value (a date-time, a
    URL) or sets settings against each other (the window, the marketplaces of the region, the
    options each stream takes).
    """
    cfg = typed_config(resolve_aliases(config))
    now = now or datetime.now(timezone.utc)
    for name in REQUIRED:
        value = cfg.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise SettingsError(name, "is required and missing or empty")
    problem = _schema_problem(cfg)
    if problem is not None:
        raise problem

    def read(name: str) -> Any:
        return BY_NAME[name].read(cfg.get(name))

    start = read("start_date") or now - timedelta(days=DEFAULT_LOOKBACK_YEARS_DAYS)
    end = min(read("end_date") or now, now)
    if start > now:
        raise SettingsError("start_date", "is in the future")
    if end <= start:
        raise SettingsError("end_date", "must be after start_date")
    sandbox = read("aws_environment") == "SANDBOX"
    region = marketplaces.by_country(read("region"))
    assert region is not None, "CONFIG_SCHEMA lists only known regions"
    return Settings(
        **{setting.attribute: read(setting.name) for setting in SETTINGS if setting.attribute},
        region=region.region,
        sandbox=sandbox,
        start=start,
        end=end,
        sp_api_url=read("sp_api_url") or marketplaces.host_for(region.region, sandbox=sandbox),
        token_url=read("lwa_token_url") or marketplaces.LWA_TOKEN_URL,
        marketplace_ids=_marketplace_ids(cfg.get("marketplace_ids"), region),
        report_options=_window_options(_analytics_options(_report_options(cfg.get("report_options"), known_streams))),
        batch=batch_target(cfg.get("batch_config")),
    )


def batch_target(raw: Any) -> BatchTarget | None:
    """`batch_config` (the SDK's built-in setting) as what batches.py writes: JSON Lines files,
    gzipped or not, in a local directory; anything else is refused here, before any request, rather
    than when the first record is written."""
    if not raw:
        return None
    if not isinstance(raw, Mapping):
        raise SettingsError("batch_config", "must be an object with encoding and storage")
    encoding = raw.get("encoding") or {}
    storage = raw.get("storage") or {}
    if not isinstance(encoding, Mapping) or not isinstance(storage, Mapping):
        raise SettingsError("batch_config", "encoding and storage must be objects")
    if encoding.get("format") not in BATCH_FORMATS:
        raise SettingsError(
            "batch_config.encoding.format", f"{encoding.get('format')!r} is not supported: the tap writes jsonl files"
        )
    compression = encoding.get("compression") or "gzip"
    if compression not in ("gzip", "none"):
        raise SettingsError("batch_config.encoding.compression", f"{compression!r} is not supported: use gzip or none")
    root, prefix = storage.get("root"), storage.get("prefix") or ""
    if not isinstance(root, str) or not root.strip():
        raise SettingsError("batch_config.storage.root", "is required: the local directory batch files are written to")
    if not isinstance(prefix, str) or "/" in prefix or ".." in prefix:
        raise SettingsError("batch_config.storage.prefix", "must be text for the start of file names (no / or ..)")
    parts = urlsplit(root.strip())
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        directory = Path(url2pathname(parts.path))
    elif not parts.scheme:
        directory = Path(root.strip()).expanduser()
    else:
        raise SettingsError(
            "batch_config.storage.root",
            f"{parts.scheme}:// is not supported: batch files go to a local directory (file:///path or a path)",
        )
    size = raw.get("batch_size", DEFAULT_BATCH_SIZE)
    if type(size) is not int or size < 1:
        raise SettingsError("batch_config.batch_size", "must be a whole number of records, 1 or more")
    return BatchTarget(directory.resolve(), prefix, compression, size)
