"""Data Kiosk API 2023-11-15: queries parsed and checked against the dataset's schema
(`graphql.py`, `datakiosk_schema.py`), processed after the simulator's processing delay, answered
as JSON Lines documents of exactly the fields the query selects, paged by new queries with a token.

Amazon's documented refusals are refused, as violations: a query over 8,000 characters once
needless whitespace is removed (413), a query that is not GraphQL or asks for a field or argument
the dataset does not have (400), a pagination token that is not the one Amazon gave for the same
query text. A dataset that needs a role the app lacks (fault ``missing_roles``) answers 403
"Unauthorized to access requested fields", as Amazon does, and is not a violation. Fault ``fatal``
keyed by a dataset's root field ends its next queries FATAL with an error document; ``stuck`` keeps
them IN_QUEUE. `quiet_days` are days without data: a query of only such days is DONE with no document.

Rows are made from the seed for each day and product, leaf by leaf from the schema, so the same
query always gets the same rows; `expected` gives them, in the form the tap emits, as ground truth.
"""

from __future__ import annotations

import json
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tap_amazon_sp.records import snake_keys

from .datakiosk_schema import SCHEMAS
from .graphql import EnumValue, Field, GraphQLError, Schema, base, parse_query
from .mutations import mutate
from .rendering import Document, marketplace
from .reports import ApiError, format_time
from .rest_api import World, answers, simulated

__all__ = ["DataKioskApi"]

MAX_CHARS = 8000
# The roles a dataset needs beyond Brand Analytics (which createQuery itself needs: fault no_role).
ROLES = {"analytics_economics_2024_03_15": ("Selling Partner Insights",)}
# (parent ASIN, child ASIN, MSKU): two MSKUs of one child ASIN, two children of one parent.
_PRODUCTS: tuple[tuple[str, str, str], ...] = (
    ("B0PARENT01", "B0CHILD001", "SKU-RED-S"),
    ("B0PARENT01", "B0CHILD002", "SKU-RED-M"),
    ("B0PARENT01", "B0CHILD002", "SKU-RED-M-FBA"),
    ("B0PARENT02", "B0CHILD003", "SKU-BLUE"),
)
_WHITESPACE = re.compile(r"\s+")
_AROUND = re.compile(r"\s*([{}()\[\]:,!=@$])\s*")


def compacted(text: str) -> str:
    """A query without needless whitespace: what Amazon counts its 8,000 characters on."""
    return _AROUND.sub(r"\1", _WHITESPACE.sub(" ", text)).strip()


@dataclass
class _Query:
    query_id: str
    text: str
    created: float
    delay: float
    rows: list[dict[str, Any]]
    offset: int
    marketplace_id: str
    root: str
    fatal: bool = False
    stuck: bool = False
    cancelled: bool = False
    document_id: str | None = None
    error_document_id: str | None = None
    next_token: str | None = None
    finished: bool = False
    page_rows: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@simulated("datakiosk")
class DataKioskApi:
    """The simulated seller's Data Kiosk queries and documents."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._queries: dict[str, _Query] = {}
            self._tokens: dict[str, tuple[str, int]] = {}
            # Rows a document holds at most: a test makes pages short to see paging.
            self.page_rows = 1000
            self.quiet_days: set[date] = set()
            self.texts: list[str] = []

    # --- operations -------------------------------------------------------------------------------

    @answers("createQuery", reads="call")
    def create(self, call: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        body = call["body"] or {}
        text = str(body.get("query") or "")
        if len(compacted(text)) > MAX_CHARS:
            raise ApiError(
                413, "RequestEntityTooLarge", "The query exceeds the maximum of 8000 characters.", violation=True
            )
        try:
            roots = parse_query(text)
        except GraphQLError as exc:
            raise ApiError(400, "InvalidInput", str(exc), violation=True) from None
        if len(roots) != 1 or roots[0].name not in SCHEMAS:
            raise ApiError(400, "InvalidInput", "A query names exactly one dataset.", violation=True)
        root = roots[0]
        schema = SCHEMAS[root.name]
        problems = schema.check(roots)
        if problems:
            raise ApiError(400, "InvalidInput", "; ".join(problems), violation=True)
        lacking = [r for r in ROLES.get(root.name, ()) if r in self.world.faults.get("missing_roles")]
        if lacking:
            raise ApiError(403, "Unauthorized", "Unauthorized to access requested fields.", "")
        if len(root.selection) != 1:
            raise ApiError(400, "InvalidInput", "The simulator serves one query field per query.", violation=True)
        token = body.get("paginationToken")
        offset = 0
        if token is not None:
            issued = self._tokens.get(str(token))
            if issued is None or issued[0] != text:
                raise ApiError(
                    400, "InvalidInput", "The paginationToken is not one given for this query.", violation=True
                )
            offset = issued[1]
        query_field = root.selection[0]
        rows, marketplace_id = self._rows(schema, root.name, query_field)
        faults = self.world.faults
        with self._lock:
            query_id = str(10_000 + len(self._queries) + 1) + secrets.token_hex(2)
            self.texts.append(text)
            self._queries[query_id] = _Query(
                query_id,
                text,
                time.time(),
                float(faults.get("processing_delay")),
                rows,
                offset,
                marketplace_id,
                root.name,
                fatal=faults.take("fatal", root.name),
                stuck=faults.take("stuck", root.name),
                page_rows=self.page_rows,
            )
        return 202, {"queryId": query_id}

    @answers("getQueries")
    def list_queries(self, query: dict[str, list[str]]) -> dict[str, Any]:
        """The newest queries first, `pageSize` of them (no filter the tap uses)."""
        size = int((query.get("pageSize") or ["10"])[0])
        with self._lock:
            newest = sorted(self._queries.values(), key=lambda q: q.created, reverse=True)
            return {"queries": [self._render(q) for q in newest[:size]]}

    @answers("getQuery", reads="call")
    def get(self, call: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            query = self._find(call["path"]["queryId"])
            return self._render(query)

    @answers("cancelQuery", reads="call")
    def cancel(self, call: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            query = self._find(call["path"]["queryId"])
            if self._status(query) != "IN_QUEUE":
                raise ApiError(400, "InvalidInput", "Only a query IN_QUEUE can be cancelled.")
            query.cancelled = True
        return 204, {}

    @answers("getDocument", reads="call")
    def document(self, call: dict[str, Any]) -> dict[str, Any]:
        document_id = call["path"]["documentId"]
        with self._lock:
            known = any(document_id in (q.document_id, q.error_document_id) for q in self._queries.values())
        if not known or self.world.documents is None:
            raise ApiError(404, "NotFound", "The provided documentId was not found.")
        return {"documentId": document_id, "documentUrl": self.world.documents.url(document_id)}

    # --- ground truth -------------------------------------------------------------------------------

    def expected(self, text: str) -> list[dict[str, Any]]:
        """Every row (all pages) a query of this text gets, snake-cased as the tap emits them."""
        roots = parse_query(text)
        rows, _market = self._rows(SCHEMAS[roots[0].name], roots[0].name, roots[0].selection[0])
        return [snake_keys(row) for row in rows]

    # --- making answers -----------------------------------------------------------------------------

    def _find(self, query_id: str) -> _Query:
        found = self._queries.get(query_id)
        if found is None:
            raise ApiError(404, "NotFound", f"Query {query_id} was not found.")
        return found

    def _status(self, query: _Query) -> str:
        if query.cancelled:
            return "CANCELLED"
        elapsed = time.time() - query.created
        if query.stuck or elapsed < query.delay / 3:
            return "IN_QUEUE"
        if elapsed < query.delay:
            return "IN_PROGRESS"
        if not query.finished:
            self._finish(query)
        return "FATAL" if query.fatal else "DONE"

    def _finish(self, query: _Query) -> None:
        query.finished = True
        documents = self.world.documents
        assert documents is not None
        if query.fatal:
            error = {"errorMessage": "The query could not be processed: an internal error occurred."}
            query.error_document_id = documents.add(
                query.marketplace_id, query.root, json.dumps(error).encode(), "application/json"
            )
            return
        page = query.rows[query.offset : query.offset + query.page_rows]
        if query.offset + query.page_rows < len(query.rows):
            token = secrets.token_urlsafe(24)
            self._tokens[token] = (query.text, query.offset + query.page_rows)
            query.next_token = token
        if page:
            body = "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in page).encode()
            # Stored as every document is (gzip), served with Content-Encoding: gzip.
            document = Document(body, "application/x-ndjson")
            mutation = self.world.faults.get("document_mutation").get(query.root)
            if mutation is not None:
                document = mutate(document, mutation)
            query.document_id = documents.add(query.marketplace_id, query.root, document.body, document.content_type)

    def _render(self, query: _Query) -> dict[str, Any]:
        status = self._status(query)
        body: dict[str, Any] = {
            "queryId": query.query_id,
            "query": query.text,
            "createdTime": format_time(query.created),
            "processingStatus": status,
        }
        if status not in ("IN_QUEUE", "CANCELLED"):
            body["processingStartTime"] = format_time(query.created + query.delay / 3)
        if status in ("DONE", "FATAL"):
            body["processingEndTime"] = format_time(query.created + query.delay)
        if status == "DONE":
            if query.document_id:
                body["dataDocumentId"] = query.document_id
            if query.next_token:
                body["pagination"] = {"nextToken": query.next_token}
        if status == "FATAL" and query.error_document_id:
            body["errorDocumentId"] = query.error_document_id
        return body

    def _rows(self, schema: Schema, root: str, query_field: Field) -> tuple[list[dict[str, Any]], str]:
        """The rows of a query field, from the seed: one per day (and product), in day order."""
        arguments = query_field.arguments
        markets = arguments.get("marketplaceIds") or []
        if len(markets) != 1:
            raise ApiError(400, "InvalidInput", "The simulator serves one marketplace per query.", violation=True)
        marketplace_id = str(markets[0])
        try:
            first, last = date.fromisoformat(arguments["startDate"]), date.fromisoformat(arguments["endDate"])
        except (KeyError, ValueError):
            raise ApiError(400, "InvalidInput", "startDate and endDate must be dates.", violation=True) from None
        if last < first:
            raise ApiError(400, "InvalidInput", "endDate is before startDate.", violation=True)
        if first < date.today() - timedelta(days=731):
            raise ApiError(400, "InvalidInput", "startDate must be no more than two years ago.", violation=True)
        per_product = _granularity(query_field.name, arguments)
        of = base(schema.types[schema.types["Query"][root][0]][query_field.name][0])
        rows: list[dict[str, Any]] = []
        day = first
        while day <= last:
            if day not in self.quiet_days:
                products: tuple[tuple[str, str, str] | None, ...] = _PRODUCTS if per_product else (None,)
                if per_product == "CHILD":
                    products = tuple({p[1]: p for p in _PRODUCTS}.values())
                for product in products:
                    rng = random.Random(f"{self.world.seed}|{query_field.name}|{marketplace_id}|{day}|{product}")
                    if product is not None and rng.random() < 0.2:
                        continue  # no sale of it that day
                    context = {"day": day, "market": marketplace_id, "product": product, "level": per_product}
                    rows.append(self._object(schema, of, query_field.selection, rng, context))
            day += timedelta(days=1)
        return rows, marketplace_id

    def _object(
        self, schema: Schema, type_name: str, selection: list[Field], rng: random.Random, context: dict[str, Any]
    ) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for item in selection:
            of = schema.types[type_name][item.name][0]
            inner = base(of)
            if inner in schema.types:
                if of.startswith("["):
                    row[item.name] = [
                        self._object(schema, inner, item.selection, rng, context) for _ in range(rng.randint(1, 2))
                    ]
                elif item.name.endswith("B2B") or (not of.endswith("!") and rng.random() < 0.2):
                    row[item.name] = None
                else:
                    row[item.name] = self._object(schema, inner, item.selection, rng, context)
            else:
                row[item.name] = _leaf(item.name, inner, of.endswith("!"), rng, context)
        return row


def _granularity(name: str, arguments: dict[str, Any]) -> str | None:
    """The product level a query's rows are per (None: per day only); DAY is the only date level served."""
    aggregate = arguments.get("aggregateBy")
    if name == "economics":
        aggregate = aggregate or {}
        date_level, product = aggregate.get("date", EnumValue("DAY")), aggregate.get("productId", EnumValue("MSKU"))
        if date_level.name != "DAY":
            raise ApiError(400, "InvalidInput", "The simulator serves DAY aggregation only.", violation=True)
        return str(product.name)
    if name == "salesAndTrafficByDate":
        if not isinstance(aggregate, EnumValue) or aggregate.name != "DAY":
            raise ApiError(400, "InvalidInput", "The simulator serves DAY aggregation only.", violation=True)
        return None
    if name == "salesAndTrafficByAsin":
        if not isinstance(aggregate, EnumValue) or aggregate.name != "CHILD":
            raise ApiError(400, "InvalidInput", "The simulator serves CHILD aggregation only.", violation=True)
        return "CHILD"
    raise ApiError(400, "InvalidInput", f"The simulator does not serve {name}.", violation=True)


def _leaf(name: str, kind: str, required: bool, rng: random.Random, context: dict[str, Any]) -> Any:
    product = context["product"]
    level = context["level"]
    if name in ("startDate", "endDate"):
        return context["day"].isoformat()
    if name == "marketplaceId":
        return context["market"]
    if name == "currencyCode":
        return marketplace(context["market"]).currency
    if name in ("parentAsin", "childAsin", "msku", "fnsku", "sku"):
        if product is None:
            return None
        if name == "parentAsin":
            return product[0]
        if name == "childAsin":
            return product[1]
        if level == "MSKU" and name == "msku":
            return product[2]
        if level == "MSKU" and name == "fnsku":
            return "X00" + product[2].replace("-", "")[:7]
        return None
    if name.endswith("B2B"):
        return None
    if not required and rng.random() < 0.1:
        return None
    if kind == "Float":
        return round(rng.uniform(0, 400), 2)
    if kind in ("Long", "Int"):
        return rng.randint(0, 60)
    if kind == "Date":
        return context["day"].isoformat()
    if name in ("feeTypeName", "adTypeName", "identifier"):
        return rng.choice(("FBA fulfillment fees", "Referral fees", "Sponsored Products charge"))
    return f"{name}-{rng.randint(1, 9)}"
