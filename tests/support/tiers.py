"""Which tier a test belongs to, read from what it uses; tests/conftest.py marks every test with it.

- ``e2e``: the files named ``test_e2e_*``: real Meltano and PostgreSQL.
- ``sim``: the test, a fixture it uses or a helper of this suite they call starts the simulator, a
  server of its own or a child process (the ``sim``/``simulator`` fixtures are the usual way).
- ``unit``: the rest: no server and no subprocess, so ``scripts/test -m unit`` is the fast tier.

The reading is static and errs towards ``sim``: a name that might start a server counts even if it
is only an attribute that happens to share the name. The simulator's own modules are not followed
(a test that uses it names ``Simulator`` or a fixture that does).
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TIERS = ("unit", "sim", "e2e")
SIM_FIXTURES = frozenset({"sim", "simulator"})
# A reference to any of these names means a server on loopback or a child process.
STARTS_A_PROCESS_OR_SERVER = frozenset(
    {
        "Simulator",
        "subprocess",
        "Popen",
        "multiprocessing",
        "fork",
        "HTTPServer",
        "ThreadingHTTPServer",
        "socketserver",
        "socket",
    }
)
_NOT_FOLLOWED = ("tests.spapi_simulator",)


def _code_names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_names(const)


def _followed(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module.startswith("tests") and not module.startswith(_NOT_FOLLOWED)


def _functions_of(obj: Any) -> list[Callable[..., Any]]:
    if inspect.isclass(obj):
        return [f for f in vars(obj).values() if inspect.isfunction(f)]
    return [obj] if inspect.isfunction(obj) else []


def starts_a_process_or_server(func: Callable[..., Any], _seen: set[int] | None = None) -> bool:
    """Whether `func`, or a function or class of this suite it names (followed transitively),
    names something that starts a server or a child process."""
    seen = set() if _seen is None else _seen
    func = inspect.unwrap(func)
    inner = getattr(getattr(func, "hypothesis", None), "inner_test", None)
    if inner is not None:
        func = inner
    if id(func) in seen or not hasattr(func, "__code__"):
        return False
    seen.add(id(func))
    names = set(_code_names(func.__code__))
    if names & STARTS_A_PROCESS_OR_SERVER:
        return True
    namespace = getattr(func, "__globals__", {})
    for name in names:
        obj = namespace.get(name)
        if obj is None or id(obj) in seen or not _followed(obj):
            continue
        if inspect.isclass(obj):
            seen.add(id(obj))
        if any(starts_a_process_or_server(f, seen) for f in _functions_of(obj)):
            return True
    return False


def _fixture_functions(item: pytest.Item) -> list[Callable[..., Any]]:
    # pytest has no public way to reach the functions behind an item's fixtures at collection time.
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return []
    return [fixturedef.func for defs in info.name2fixturedefs.values() for fixturedef in defs]


_VERDICTS: dict[Callable[..., Any], bool] = {}


def _starts(func: Callable[..., Any]) -> bool:
    if func not in _VERDICTS:
        _VERDICTS[func] = starts_a_process_or_server(func)
    return _VERDICTS[func]


def tier_of(item: pytest.Item) -> str:
    if Path(str(item.path)).name.startswith("test_e2e_") or item.get_closest_marker("e2e"):
        return "e2e"
    if SIM_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "sim"
    test = getattr(item, "function", None)
    functions = [*([test] if test is not None else []), *_fixture_functions(item)]
    if any(_starts(f) for f in functions):
        return "sim"
    return "unit"


def misplaced(tiers_by_file: dict[Path, set[str]]) -> list[str]:
    """The test files in a folder faster than their slowest test (a sim test in tests/unit, an e2e
    one in tests/sim): a folder says how slow its files may be. (A file of unit tests only in
    tests/sim is not refused here: a run of a few of its tests cannot tell.)"""
    wrong = []
    for path, tiers in sorted(tiers_by_file.items()):
        slowest = max(tiers, key=TIERS.index)
        folder = path.parent.name
        if folder in TIERS and TIERS.index(slowest) > TIERS.index(folder):
            wrong.append(f"{path.parent.name}/{path.name} holds {slowest} tests: move it to tests/{slowest}/")
    return wrong


def mark_tiers(items: list[pytest.Item]) -> None:
    tiers_by_file: dict[Path, set[str]] = {}
    for item in items:
        tier = tier_of(item)
        if not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))
        tiers_by_file.setdefault(Path(str(item.path)), set()).add(tier)
    wrong = misplaced(tiers_by_file)
    if wrong:
        raise pytest.UsageError("; ".join(wrong))
