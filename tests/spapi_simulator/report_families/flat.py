"""Flat files: typed rows rendered into a marketplace's cells, and the records the tap should make of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from tests.spapi_simulator.rendering import (
    UTC,
    Marketplace,
    check_text,
    format_bool,
    format_date,
    format_datetime,
    format_decimal,
    utc_iso,
)
from tests.spapi_simulator.reports_data import JP_LISTING_HEADERS, LISTINGS, ReportSpec

from .common import Row, midnight

Renderer = Callable[[Any], str]


def cell_renderers(spec: ReportSpec, m: Marketplace) -> list[tuple[str, Renderer]]:
    def for_kind(kind: str) -> Renderer:
        if kind == "t":
            return check_text
        if kind == "i":
            return str
        if kind == "d":
            return format_decimal
        if kind == "b":
            return format_bool
        if kind == "dt":
            return _last_value_cache(lambda v: format_datetime(v, spec.datetime_style, m))
        return _last_value_cache(lambda v: format_date(v, spec.date_style, m))

    return [(c.header, for_kind(c.kind)) for c in spec.columns]


def _last_value_cache(f: Renderer) -> Renderer:
    """Items of one order repeat its dates; remembering the last one halves date formatting in big documents."""
    last_value: Any = None
    last_text = ""

    def render(v: Any) -> str:
        nonlocal last_value, last_text
        if v != last_value:
            last_value, last_text = v, f(v)
        return last_text

    return render


def render_row(row: Row, renderers: list[tuple[str, Renderer]]) -> list[str]:
    return ["" if (v := row.get(h)) is None else f(v) for h, f in renderers]


def document_header(spec: ReportSpec, m: Marketplace) -> list[str]:
    if spec.report_type == LISTINGS and m.code == "JP":
        return [JP_LISTING_HEADERS.get(h, h) for h in spec.headers]
    return spec.headers


def expected_record(row: Row, spec: ReportSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in spec.columns:
        v = row.get(c.header)
        if v is not None and c.kind == "dt":
            v = utc_iso(v)
        elif v is not None and c.kind == "date":
            v = v.isoformat()
        out[c.key] = v
    return out


def filter_value(row: Row, spec: ReportSpec) -> datetime:
    assert spec.filter_header is not None
    v = row[spec.filter_header]
    if isinstance(v, str):  # a month, "2024-03" (storage fees)
        return datetime.strptime(v, "%Y-%m").replace(tzinfo=UTC)
    return v if isinstance(v, datetime) else midnight(v)


def encoded_chunks(lines: Iterable[str], codec: str, size: int = 2000) -> Iterator[bytes]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch).encode(codec)
            batch = []
    if batch:
        yield "".join(batch).encode(codec)
