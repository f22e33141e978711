"""Reading one SP-API operation page by page: by next token or by offset, each record once.

`PagedReads` is what every REST stream (client.RestStream) pages with. A chain of pages whose
paging Amazon refuses mid-way (a token that expired, an answer too large to send) is read again
from its first page, with smaller pages where the operation can, and records already emitted are
not emitted again; when more rows match one request than Amazon pages through, the request is split
before anything is emitted, or refused in one line: never cut short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from tap_amazon_sp.errors import APIError, LimitError
from tap_amazon_sp.retry import Retries
from tap_amazon_sp.sdk_edge import EdgeStream

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# How often one window's paging is started over (expired token, answer too large) before giving up.
PAGING_RESTARTS = 4


@dataclass(frozen=True)
class OffsetPaging:
    """Paging by offset: a request names its page (`limit` rows from `offset`) in the object at
    `request_path`, the answer gives the number of matching rows at `total_path`, and Amazon refuses
    an offset past `max_offset`."""

    limit: int
    max_offset: int
    request_path: tuple[str, ...] = ("pagination",)
    total_path: tuple[str, ...] = ("pagination", "totalResults")

    @property
    def reachable(self) -> int:
        """How many rows one request's pages can hold: those up to the last page Amazon serves."""
        return (self.max_offset // self.limit + 1) * self.limit

    def page(self, request: Mapping[str, Any], offset: int) -> dict[str, Any]:
        """The request for the page starting at `offset`."""
        return merged(request, _nested(self.request_path, {"limit": self.limit, "offset": offset}))

    def total(self, body: Mapping[str, Any]) -> int | None:
        found = dig(body, self.total_path)
        return found if isinstance(found, int) and not isinstance(found, bool) else None


def dig(body: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` in nested objects, None where a step is missing."""
    for key in path:
        body = body.get(key) if isinstance(body, Mapping) else None
    return body


def merged(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `extra` laid over it, objects merged key by key (a JSON body's nested filters)."""
    out = dict(base)
    for key, value in extra.items():
        inner = out.get(key)
        out[key] = merged(inner, value) if isinstance(inner, Mapping) and isinstance(value, Mapping) else value
    return out


def _nested(path: tuple[str, ...], value: dict[str, Any]) -> dict[str, Any]:
    for key in reversed(path):
        value = {key: value}
    return value


class RestartPaging(Exception):
    """A window's paging was refused mid-way: the window must be read again from its first page."""

    def __init__(self, error: APIError) -> None:
        super().__init__(str(error))
        self.error = error


class PagedReads(EdgeStream):
    """How a stream pages through one operation; `request`, `page_records` and `complete` are the
    stream's (client.RestStream)."""

    operation: ClassVar[str] = ""
    # The query parameter that carries the page token, and the keys leading to the next one in a
    # page (none: the operation has a single page).
    token_param: ClassVar[str] = "nextToken"
    next_token_path: ClassVar[tuple[str, ...]] = ()
    # Whether a next-page request repeats the first request's parameters (most operations want that;
    # `next_page_params` says what else a next page may carry).
    token_keeps_params: ClassVar[bool] = True
    # The page-size parameter of an operation that refuses an answer too large to send (Finances v0:
    # 400 InvalidInput past its transaction or 10 MB limit), halved when a window is read again.
    page_size_param: ClassVar[str | None] = None
    _page_size: int | None = None
    # Where a page holds its records (read by the default `page_records` and by offset paging).
    records_path: ClassVar[tuple[str, ...]] = ()
    # Paging by offset (limit, offset, total) instead of by token.
    offset_paging: ClassVar[OffsetPaging | None] = None
    # How often a next page refused with 400 InvalidInput is asked for before the chain is started
    # over: Vendor Orders refuses pages at random mid-paging, and the same request then succeeds.
    refused_page_tries: ClassVar[int] = 1

    def request(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """One call of the stream's operation."""
        raise NotImplementedError

    def page_records(self, body: Mapping[str, Any], context: Context | None) -> list[dict[str, Any]]:
        """The records of one page, in the stream's shape."""
        raise NotImplementedError

    def complete(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record as it is emitted."""
        return record

    def next_token(self, body: Mapping[str, Any]) -> str | None:
        """The next page's token in a response, if there is one."""
        if not self.next_token_path:
            return None
        found: Any = body
        for key in self.next_token_path:
            found = (found or {}).get(key)
        return str(found) if found else None

    def next_page_params(self, params: Mapping[str, Any], token: str) -> dict[str, Any]:
        """The query of the page `token` names, after the first request `params`: by default those
        parameters and the token (the token alone without `token_keeps_params`)."""
        return {**params, self.token_param: token} if self.token_keeps_params else {self.token_param: token}

    def narrower(self, request: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        """Requests that together ask for what `request` asks, each for fewer rows (offset paging,
        when more rows match than Amazon pages through); None when the operation has no such filter."""
        return None

    def describe(self, request: Mapping[str, Any]) -> str:
        """What a request asks for, in a few words, for errors about it."""
        return ""

    def begin_chain(self) -> None:
        """Called before the first page of a request chain is read, again when it is started over."""

    def smaller_pages(self, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The same request asking for half as many rows a page, if the operation can."""
        if self.page_size_param is None:
            return None
        size = int(params.get(self.page_size_param) or 0)
        return {**params, self.page_size_param: size // 2} if size > 1 else None

    def page_retries(self) -> Retries | None:
        """How a refused next page is asked for again (`refused_page_tries`), None if it is not."""
        return None

    def record_key(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        """What makes a record unique in one request chain (its primary key by default)."""
        return tuple(record.get(k) for k in self.primary_keys or ())

    def pages(self, params: Mapping[str, Any], token: str | None = None) -> Iterator[dict[str, Any]]:
        """Every page of one request chain (from `token`'s page on, if given); raises RestartPaging
        when reading it again may succeed."""
        if self.offset_paging is not None:
            yield from self.offset_pages(params)
            return
        query = self.next_page_params(params, token) if token else dict(params)
        retries = self.page_retries()
        attempt = 0
        while True:
            attempt += 1
            try:
                body = self.request(query)
            except APIError as exc:
                if (
                    token is not None
                    and exc.code == "InvalidInput"
                    and retries is not None
                    and retries.again(attempt, f"{self.name}: a next page refused ({exc.code}); asking again")
                ):
                    continue
                # Past the first page only the token changed, so a 400 is about the token (or, where
                # pages can be too large, about this page's size); smaller pages may help either way.
                if exc.status == 400 and (token is not None or self.smaller_pages(params) is not None):
                    raise RestartPaging(exc) from exc
                raise
            yield body
            attempt = 0
            token = self.next_token(body)
            if not token:
                return
            query = self.next_page_params(params, token)

    def offset_pages(self, request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every page of one request read by offset, up to its total.

        When more rows match than Amazon pages through, the request is split (`narrower`) before
        anything is emitted, or refused with a LimitError: never cut short.
        """
        paging = self.offset_paging
        assert paging is not None
        offset = 0
        while True:
            body = self.request(paging.page(request, offset))
            total = paging.total(body)
            if total is not None and total > paging.reachable:
                parts = self.narrower(request) if offset == 0 else None
                if parts is None:
                    what = self.describe(request)
                    raise LimitError(
                        f"{self.name}: {total} rows match one {self.operation} request"
                        f"{f' ({what})' if what else ''}, and Amazon pages through {paging.reachable} at most "
                        f"(offset up to {paging.max_offset}); the bookmark stays before this request's window"
                    )
                for part in parts:
                    yield from self.offset_pages(part)
                return
            yield body
            offset += paging.limit
            # Without a total, a page shorter than the limit is the last one.
            rows = dig(body, self.records_path) or []
            if not rows or (total is not None and offset >= total) or (total is None and len(rows) < paging.limit):
                return
            if offset > paging.max_offset:
                what = self.describe(request)
                raise LimitError(
                    f"{self.name}: more rows match one {self.operation} request{f' ({what})' if what else ''} than "
                    f"Amazon pages through ({paging.reachable} at most, offset up to {paging.max_offset}); "
                    f"the bookmark stays before this request's window"
                )

    def read_chain(
        self,
        params: Mapping[str, Any],
        context: Context | None,
        *,
        seen: set[tuple[Any, ...]] | None = None,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
        token: str | None = None,
        after_page: Callable[[str | None], None] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The records of one request chain, each once (by `record_key`), starting it over when refused.

        `token` continues a chain an earlier sync left (a refused one starts the chain over from its
        first page); `after_page` hears, once a page's records were all emitted, the next page's token.
        """
        seen = set() if seen is None else seen
        restarts = 0
        if self.page_size_param is not None and self._page_size is not None:
            # What fitted in an earlier window of this sync is where this one starts.
            params = {**params, self.page_size_param: min(int(params[self.page_size_param]), self._page_size)}
        while True:
            self.begin_chain()
            try:
                for body in self.pages(params, token):
                    fresh = []
                    for record in map(self.complete, self.page_records(body, context)):
                        key = self.record_key(record)
                        if key not in seen:
                            seen.add(key)
                            fresh.append(record)
                    if on_page is not None:
                        on_page(fresh)
                    yield from fresh
                    if after_page is not None:
                        after_page(self.next_token(body))
                return
            except RestartPaging as exc:
                restarts += 1
                if restarts > PAGING_RESTARTS:
                    raise exc.error from None
                token = None
                params = self.smaller_pages(params) or params
                if self.page_size_param is not None:
                    self._page_size = params.get(self.page_size_param)
                self.logger.warning(
                    "%s: paging refused (%s); reading the window again from its first page", self.name, exc
                )
