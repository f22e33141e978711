"""tap-amazon-sp: settings and streams; everything else lives in the modules it names."""

from __future__ import annotations

import sys
from functools import cached_property
from typing import Any

from jsonschema import Draft202012Validator
from singer_sdk import Stream, Tap
from singer_sdk.exceptions import ConfigValidationError

from tap_amazon_sp import catalogue
from tap_amazon_sp.client import Runtime
from tap_amazon_sp.errors import TapError
from tap_amazon_sp.finance_streams import FinancialEventGroupsStream, FinancialEventsStream, FinancialTransactionsStream
from tap_amazon_sp.inventory_streams import InventorySummariesStream
from tap_amazon_sp.order_streams import OrderItemsStream, OrdersStream
from tap_amazon_sp.output import TapMessageWriter
from tap_amazon_sp.report_streams import ReportStream
from tap_amazon_sp.seller_streams import MarketplaceParticipationsStream
from tap_amazon_sp.settings import CONFIG_SCHEMA, SECRETS, Settings, SettingsError, load_settings, resolve_aliases

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

STREAM_NAMES = frozenset(spec.stream for spec in catalogue.REPORTS)
# The Seller streams read from SP-API operations rather than reports.
SELLER_REST_STREAMS = (
    OrdersStream, OrderItemsStream, FinancialEventGroupsStream, FinancialEventsStream, FinancialTransactionsStream,
    InventorySummariesStream, MarketplaceParticipationsStream,
)


class TapAmazonSP(Tap):
    """Singer tap for the Amazon Selling Partner API (SP-API): reports, incrementally and resumably."""

    name = "tap-amazon-sp"
    package_name = "tap-amazon-selling-partner"
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = TapMessageWriter

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        # Our checks first: they name the setting in one line and never echo a secret.
        try:
            self._settings = load_settings(self._config, known_streams=STREAM_NAMES)
        except SettingsError as exc:
            errors = [str(exc)]
        else:
            errors = [_schema_error(e) for e in self._schema_errors()][:1]
        if errors and raise_errors:
            raise ConfigValidationError("Config validation failed", errors=errors, schema=self.config_jsonschema)
        if errors:
            self.logger.warning("Config validation failed: %s", errors[0])
        return errors

    def _schema_errors(self) -> list[Any]:
        schema = dict(self.config_jsonschema)
        self.append_builtin_config(schema)
        return list(Draft202012Validator(schema).iter_errors(resolve_aliases(self._config)))

    @property
    def settings(self) -> Settings:
        """The validated settings (validated when the tap was created)."""
        settings = getattr(self, "_settings", None)
        if settings is None:
            settings = self._settings = load_settings(self._config, known_streams=STREAM_NAMES)
        return settings

    @property
    def marketplace_ids(self) -> tuple[str, ...]:
        return self.settings.marketplace_ids

    @cached_property
    def runtime(self) -> Runtime:
        """The token, usage plans and report engine every stream shares."""
        return Runtime.build(self.settings, self.logger)

    @classmethod
    @override
    def invoke(cls, **kwargs: Any) -> None:
        # A failure the tap understands (refused credentials, a FATAL report, an unreadable
        # document) is one line for the seller, not a stack trace; bookmarks already stop before it.
        try:
            super().invoke(**kwargs)
        except TapError as exc:
            cls.logger.error("%s", exc)
            sys.exit(1)

    @override
    def discover_streams(self) -> list[Stream]:
        account = str(self._config.get("account_type") or "Seller").capitalize()
        streams: list[Stream] = [ReportStream(self, spec) for spec in catalogue.streams_for(account)]
        if account == "Seller":
            streams += [stream_class(self) for stream_class in SELLER_REST_STREAMS]
        return streams


def _schema_error(error: Any) -> str:
    path = ".".join(str(p) for p in error.absolute_path) or "config"
    name = str(error.absolute_path[0]) if error.absolute_path else ""
    if name in SECRETS:
        return f"{path}: has the wrong type (a string is expected)"
    return f"{path}: {error.message}"


if __name__ == "__main__":
    TapAmazonSP.cli()
