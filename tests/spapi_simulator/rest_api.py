"""How a REST (non-report) API joins the simulator, without an edit to the server.

A module named ``*_api.py`` in this package holds a class decorated with ``@simulated("name")``:
the simulator builds it from the ``World`` it shares with the others and makes it ``sim.name``.
Each of its methods decorated with ``@answers("operationId")`` answers that operation of
``tap_amazon_sp.operations`` from the request's query string (with ``reads="body"``, its JSON
body; with ``reads="path"``, its path parameters and its query string); the server checks the
request against the operation's parameters first.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from .faults import Faults
from .lwa import TokenStore
from .paging import Pager

__all__ = ["Answer", "Documents", "World", "answers", "build", "simulated"]

# "path": the answer gets the path parameters and the query string. "call": it gets {"path": path
# params, "query": query, "body": JSON body} and returns its JSON body, or (status, body) for a
# status other than 200.
Reads = Literal["query", "body", "path", "call"]
_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])
_MARK = "_answers"


@dataclass(frozen=True)
class Documents:
    """The document host, for an API whose answers name documents (Data Kiosk): `add` stores one
    (marketplace id, kind for the document faults, body, content type) and gives its id; `url` is a
    pre-signed URL of a document, served with Content-Encoding: gzip."""

    add: Callable[[str, str, bytes, str], str]
    url: Callable[[str], str]


@dataclass(frozen=True)
class World:
    """What every simulated REST API is made from: its data's seed and size, the shared page
    tokens, the instant "recent" data sits before, and the switched faults."""

    seed: int
    rows: int
    pager: Pager
    anchor: datetime
    faults: Faults
    tokens: TokenStore
    documents: Documents | None = None


@dataclass(frozen=True)
class Answer:
    """One operation an API answers, and from what part of the request."""

    operation: str
    reads: Reads
    answer: Callable[[Any], Any]
    vendor: bool  # whether a vendor account may call it (the seller APIs answer vendors 403)
    restricted: bool  # whether it takes a Restricted Data Token for its path, not an access token


_REGISTERED: dict[str, tuple[type[Any], bool]] = {}


def simulated(name: str, *, vendor: bool = False) -> Callable[[type[_T]], type[_T]]:
    """Register an API class as `sim.<name>`; `vendor`: a vendor account may call it too."""

    def register(cls: type[_T]) -> type[_T]:
        if name in _REGISTERED and _REGISTERED[name][0] is not cls:
            raise ValueError(f"two simulated APIs are named {name}")
        _REGISTERED[name] = (cls, vendor)
        return cls

    return register


def answers(operation: str, *, reads: Reads = "query", restricted: bool = False) -> Callable[[_F], _F]:
    """Mark a method as the answer to `operation`; `restricted`: the operation answers only a
    Restricted Data Token issued for its method and path (403 to an access token)."""

    def mark(method: _F) -> _F:
        setattr(method, _MARK, (operation, reads, restricted))
        return method

    return mark


def build(world: World) -> tuple[dict[str, Any], list[Answer]]:
    """Every API of this package, by name, and the operations they answer."""
    package = __name__.rpartition(".")[0]
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if module.name.endswith("_api"):
            importlib.import_module(f"{package}.{module.name}")
    apis: dict[str, Any] = {}
    found: list[Answer] = []
    for name, (cls, vendor) in sorted(_REGISTERED.items()):
        api = apis[name] = cls(world)
        for attribute in dir(cls):
            marked = getattr(getattr(cls, attribute), _MARK, None)
            if marked is not None:
                operation, reads, restricted = marked
                found.append(Answer(operation, reads, getattr(api, attribute), vendor, restricted))
    operations = [a.operation for a in found]
    twice = sorted({op for op in operations if operations.count(op) > 1})
    if twice:
        raise ValueError(f"more than one simulated API answers {', '.join(twice)}")
    return apis, found
