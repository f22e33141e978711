"""Which streams the tap has: those of the configured account type, and what a given catalog says
of them (streams of another account type, or none selected, are one warning line each)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from singer_sdk import Stream, Tap
from singer_sdk.singerlib import Catalog

from tap_amazon_sp import catalog_input, catalogue
from tap_amazon_sp.client import rest_stream_classes
from tap_amazon_sp.report_streams import report_stream_class
from tap_amazon_sp.settings import BY_NAME

ACCOUNT_TYPES = BY_NAME["account_type"].choices


def stream_makers(account: str) -> dict[str, Callable[[Tap], Stream]]:
    """Every stream an account of this type has, by name, and how it is made."""
    makers: dict[str, Callable[[Tap], Stream]] = {
        spec.stream: partial(report_stream_class(spec), spec=spec) for spec in catalogue.streams_for(account)
    }
    makers.update(rest_stream_classes(account))
    return makers


def discover(tap: Tap, account: str, catalog: Catalog | None, logger: logging.Logger) -> list[Stream]:
    """The streams of an `account` account, warning about what `catalog` (if given) asks that they are not."""
    streams = [make(tap) for make in stream_makers(account).values()]
    if catalog is not None:
        others = {other: set(stream_makers(other)) for other in ACCOUNT_TYPES if other != account}
        named = [entry.tap_stream_id for entry in catalog.streams]
        own = {s.name for s in streams}
        warning = catalog_input.mismatch(named, account, own, others)
        if warning:
            logger.warning("%s", warning)
        selected = [
            e.tap_stream_id for e in catalog.streams if e.tap_stream_id in own and e.metadata.resolve_selection()[()]
        ]
        if not selected:
            logger.warning("The catalog selects none of the streams of a %s account: nothing is synced", account)
    return streams
