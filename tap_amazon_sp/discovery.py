"""Which streams the tap has: those of the configured account type whose API the region's host
serves, and what a given catalog says of them (streams of another account type or of another
region's host, or none selected, are one warning line each)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from singer_sdk import Stream, Tap
from singer_sdk.singerlib import Catalog

from tap_amazon_sp import catalog_input, catalogue
from tap_amazon_sp.asin_report_streams import AsinReportStream
from tap_amazon_sp.client import rest_stream_classes
from tap_amazon_sp.datakiosk_streams import kiosk_stream_classes
from tap_amazon_sp.report_streams import ListedReportStream, ReportStream
from tap_amazon_sp.settings import BY_NAME

ACCOUNT_TYPES = BY_NAME["account_type"].choices


def report_stream_class(spec: catalogue.ReportSpec) -> type[ReportStream]:
    """The stream class of a catalogue row: listed reports, reports requested in parts of their ASINs,
    or reports the tap requests."""
    if spec.list_only:
        return ListedReportStream
    return AsinReportStream if spec.asin_parts is not None else ReportStream


def stream_makers(account: str, region: str | None = None) -> dict[str, Callable[[Tap], Stream]]:
    """Every stream an account of this type has on the host of `region` (on any, if None), by name,
    and how it is made."""
    makers: dict[str, Callable[[Tap], Stream]] = {
        spec.stream: partial(report_stream_class(spec), spec=spec) for spec in catalogue.streams_for(account)
    }
    makers.update(rest_stream_classes(account, region))
    makers.update(kiosk_stream_classes(account))
    return makers


def discover(
    tap: Tap, account: str, catalog: Catalog | None, logger: logging.Logger, region: str | None = None
) -> list[Stream]:
    """The streams of an `account` account on the host of `region`, warning about what `catalog` (if
    given) asks that they are not."""
    streams = [make(tap) for make in stream_makers(account, region).values()]
    if catalog is not None:
        others = {other: set(stream_makers(other)) for other in ACCOUNT_TYPES if other != account}
        named = [entry.tap_stream_id for entry in catalog.streams]
        own = {s.name for s in streams}
        elsewhere = {
            name: cls.regions for name, cls in rest_stream_classes(account).items() if name in named and name not in own
        }
        if elsewhere:
            logger.warning(
                "The catalog names streams whose API the %s host does not serve (%s): they are not synced",
                region,
                "; ".join(f"{name}: the {' and '.join(hosts)} host only" for name, hosts in sorted(elsewhere.items())),
            )
        warning = catalog_input.mismatch(named, account, own | set(elsewhere), others)
        if warning:
            logger.warning("%s", warning)
        selected = [
            e.tap_stream_id for e in catalog.streams if e.tap_stream_id in own and e.metadata.resolve_selection()[()]
        ]
        if not selected:
            logger.warning("The catalog selects none of the streams of a %s account: nothing is synced", account)
    return streams
