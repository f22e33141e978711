"""Only tap_amazon_sp/sdk_edge.py touches the Singer SDK's private surface: an SDK upgrade that
renames or removes an underscored member breaks that one file, never a stream."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

from singer_sdk import Stream, Tap
from singer_sdk.io_base import SingerWriter
from singer_sdk.mapper import PluginMapper, StreamMap
from singer_sdk.singerlib import Catalog, CatalogEntry, MetadataMapping
from singer_sdk.streams._state import StreamStateManager

PACKAGE = Path(__file__).resolve().parents[2] / "tap_amazon_sp"
EDGE = PACKAGE / "sdk_edge.py"
# The SDK classes whose objects the tap holds, subclasses or reaches through one of them.
SDK_CLASSES = (
    Stream,
    Tap,
    SingerWriter,
    StreamMap,
    PluginMapper,
    StreamStateManager,
    Catalog,
    CatalogEntry,
    MetadataMapping,
)


def sdk_private_names() -> set[str]:
    """Every underscored member of those classes: methods and class attributes, and the instance
    attributes their methods set or read (`self._x`)."""
    names: set[str] = set()
    for cls in SDK_CLASSES:
        for klass in cls.__mro__:
            if not klass.__module__.startswith("singer_sdk"):
                continue
            names.update(name for name in vars(klass) if _private(name))
            try:
                source = textwrap.dedent(inspect.getsource(klass))
            except (OSError, TypeError):
                continue
            names.update(name for name in re.findall(r"\bself\.(_\w+)", source) if _private(name))
    return names


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def uses(path: Path, private: set[str]) -> list[str]:
    """Where a module reads, sets or overrides one of the SDK's private members, or imports from a
    private SDK module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in private:
            found.append(f"{path.name}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in private:
                    found.append(f"{path.name}:{item.lineno}: def {item.name} (overrides the SDK's)")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("singer_sdk"):
            module = node.module or ""
            if any(_private(part) for part in module.split(".")):
                found.append(f"{path.name}:{node.lineno}: from {module}")
            found.extend(f"{path.name}:{node.lineno}: import {a.name}" for a in node.names if _private(a.name))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr"):
            name = node.args[1] if len(node.args) > 1 else None
            if isinstance(name, ast.Constant) and name.value in private:
                found.append(f"{path.name}:{node.lineno}: {node.func.id}(..., {name.value!r})")
    return found


def test_no_module_but_the_edge_touches_a_private_sdk_member():
    private = sdk_private_names()
    assert {"_tap", "_write_state_message", "_sync_children", "_process_record", "_config"} <= private
    found = [hit for path in sorted(PACKAGE.glob("*.py")) if path != EDGE for hit in uses(path, private)]
    assert found == [], "private SDK members used outside sdk_edge.py:\n" + "\n".join(found)


def test_the_check_finds_each_kind_of_use(tmp_path: Path):
    # The check above must be able to fail: every form of use it looks for, in one module.
    module = tmp_path / "streams.py"
    module.write_text(
        textwrap.dedent(
            """
            from singer_sdk.helpers._classproperty import classproperty
            from singer_sdk.streams.core import _private_helper

            class S(Stream):
                def _write_record_message(self, record):
                    super()._write_record_message(record)
                    self.state_manager.is_flushed = False
                    self._write_state_message()
                    self._tap.streams
                    getattr(self, "_state", None)
            """
        ),
        encoding="utf-8",
    )
    found = uses(module, sdk_private_names())
    assert sorted(hit.split(": ", 1)[1] for hit in found) == sorted(
        [
            "from singer_sdk.helpers._classproperty",
            "import _private_helper",
            "def _write_record_message (overrides the SDK's)",
            "._write_record_message",
            "._write_state_message",
            "._tap",
            "getattr(..., '_state')",
        ]
    ), found


def test_the_edge_is_where_the_private_members_are():
    # Were the edge to lose them, the check would guard nothing.
    assert len(uses(EDGE, sdk_private_names())) >= 10
