"""A small GraphQL reader for the simulated Data Kiosk: queries parsed and checked against a dataset's
schema, and Amazon's schema files (SDL) read into the same tables, so a test can hold the simulator's
transcription (`datakiosk_schema.py`) to them.

Only what Data Kiosk queries use: one operation (`query`, named or not, or a bare selection), fields
with arguments and selections, and argument values (strings, numbers, enums, lists, input objects).
Fragments, variables, aliases and directives in queries are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Field", "GraphQLError", "Schema", "parse_query", "parse_sdl"]

SCALARS = frozenset({"String", "Float", "Int", "Long", "Boolean", "ID", "Date", "DateTime"})
_TOKEN = re.compile(
    r'(?P<block>"""(?:.|\n)*?""")|(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)'
    r"|(?P<name>[_A-Za-z][_0-9A-Za-z]*)|(?P<punct>\.\.\.|[{}()\[\]:!=@$&|])|(?P<skip>[\s,]+|#[^\n]*)|(?P<bad>.)"
)


class GraphQLError(ValueError):
    """A query that is not GraphQL, or asks for what the schema does not have."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(text: str) -> list[Token]:
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "bad"
        if kind == "skip":
            continue
        if kind == "bad":
            raise GraphQLError(f"Syntax error: unexpected character {match.group()!r}")
        found.append(Token(kind, match.group()))
    return found


class _Reader:
    def __init__(self, text: str) -> None:
        self.items = tokens(text)
        self.at = 0

    def peek(self, offset: int = 0) -> Token | None:
        index = self.at + offset
        return self.items[index] if index < len(self.items) else None

    def take(self, text: str | None = None, kind: str | None = None) -> Token:
        token = self.peek()
        if token is None or (text is not None and token.text != text) or (kind is not None and token.kind != kind):
            want = text or kind or "more"
            raise GraphQLError(f"Syntax error: expected {want}, found {token.text if token else 'the end'}")
        self.at += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token is not None and token.text == text and token.kind == "punct":
            self.at += 1
            return True
        return False


# --- queries --------------------------------------------------------------------------------------


@dataclass
class Field:
    """One field of a query: its arguments (decoded values) and its selection."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    selection: list[Field] = field(default_factory=list)


@dataclass(frozen=True)
class EnumValue:
    """An enum value in an argument (a bare name)."""

    name: str


def parse_query(text: str) -> list[Field]:
    """The root fields of a query."""
    reader = _Reader(text)
    first = reader.peek()
    if first is not None and first.kind == "name":
        if first.text != "query":
            raise GraphQLError(f"Only query operations are supported, not {first.text}")
        reader.take()
        token = reader.peek()
        if token is not None and token.kind == "name":
            reader.take()
        if reader.peek() is not None and reader.peek().text == "(":  # type: ignore[union-attr]
            raise GraphQLError("Variables are not supported")
    roots = _selection(reader)
    if reader.peek() is not None:
        raise GraphQLError("Only one operation per query is supported")
    return roots


def _selection(reader: _Reader) -> list[Field]:
    reader.take("{")
    fields = []
    while not reader.accept("}"):
        token = reader.peek()
        if token is not None and token.text in ("...", "@"):
            raise GraphQLError("Fragments and directives are not supported")
        name = reader.take(kind="name").text
        if reader.accept(":"):
            raise GraphQLError("Aliases are not supported")
        arguments: dict[str, Any] = {}
        if reader.accept("("):
            while not reader.accept(")"):
                argument = reader.take(kind="name").text
                reader.take(":")
                arguments[argument] = _value(reader)
        selection = _selection(reader) if reader.peek() is not None and reader.peek().text == "{" else []  # type: ignore[union-attr]
        fields.append(Field(name, arguments, selection))
    if not fields:
        raise GraphQLError("Syntax error: an empty selection")
    return fields


def _value(reader: _Reader) -> Any:
    token = reader.take()
    if token.kind == "string":
        return bytes(token.text[1:-1], "utf-8").decode("unicode_escape")
    if token.kind == "number":
        return float(token.text) if any(c in token.text for c in ".eE") else int(token.text)
    if token.kind == "name":
        return {"true": True, "false": False, "null": None}.get(token.text, EnumValue(token.text))
    if token.text == "[":
        items = []
        while not reader.accept("]"):
            items.append(_value(reader))
        return items
    if token.text == "{":
        values: dict[str, Any] = {}
        while not reader.accept("}"):
            name = reader.take(kind="name").text
            reader.take(":")
            values[name] = _value(reader)
        return values
    raise GraphQLError(f"Syntax error: unexpected {token.text}")


# --- schemas --------------------------------------------------------------------------------------


def base(type_text: str) -> str:
    """`[Economics!]!` -> `Economics`."""
    return type_text.strip("[]!")


@dataclass(frozen=True)
class Schema:
    """A dataset's schema: object types (field -> (type, {argument: type})), input types, enums."""

    types: dict[str, dict[str, tuple[str, dict[str, str]]]]
    inputs: dict[str, dict[str, str]]
    enums: dict[str, tuple[str, ...]]

    def check(self, roots: list[Field]) -> list[str]:
        """What is wrong with a query's root fields (empty: nothing)."""
        problems: list[str] = []
        self._fields("Query", roots, "", problems)
        return problems

    def _fields(self, type_name: str, fields: list[Field], path: str, problems: list[str]) -> None:
        known = self.types[type_name]
        for item in fields:
            where = f"{path}.{item.name}" if path else item.name
            if item.name not in known:
                problems.append(f"Field '{item.name}' in type '{type_name}' is undefined @ '{where}'")
                continue
            of, arguments = known[item.name]
            for name, value in item.arguments.items():
                if name not in arguments:
                    problems.append(f"Unknown argument '{name}' on field '{where}'")
                else:
                    self._value(arguments[name], value, f"{where}({name})", problems)
            for name, argument in arguments.items():
                if argument.endswith("!") and name not in item.arguments:
                    problems.append(f"Missing field argument '{name}' @ '{where}'")
            inner = base(of)
            if inner in self.types:
                if not item.selection:
                    problems.append(f"Sub selection required for type '{of}' of field '{item.name}' @ '{where}'")
                else:
                    self._fields(inner, item.selection, where, problems)
            elif item.selection:
                problems.append(f"Sub selection not allowed on leaf type '{of}' of field '{item.name}' @ '{where}'")

    def _value(self, type_text: str, value: Any, where: str, problems: list[str]) -> None:
        if value is None:
            if type_text.endswith("!"):
                problems.append(f"{where}: null for a non-null argument")
            return
        inner_text = type_text.rstrip("!")
        if inner_text.startswith("["):
            items = value if isinstance(value, list) else [value]
            for item in items:
                self._value(inner_text[1:-1], item, where, problems)
            return
        name = base(type_text)
        if name in self.enums:
            if not isinstance(value, EnumValue) or value.name not in self.enums[name]:
                problems.append(f"{where}: not a value of enum {name}")
        elif name in self.inputs:
            if not isinstance(value, dict):
                problems.append(f"{where}: an object of {name} is expected")
                return
            for key, item in value.items():
                if key not in self.inputs[name]:
                    problems.append(f"{where}: {name} has no field {key}")
                else:
                    self._value(self.inputs[name][key], item, f"{where}.{key}", problems)
            for key, wanted in self.inputs[name].items():
                if wanted.endswith("!") and key not in value:
                    problems.append(f"{where}: {name}.{key} is required")
        elif name in ("String", "Date", "ID") and not isinstance(value, str):
            problems.append(f"{where}: a string is expected")
        elif name in ("Int", "Long", "Float") and (isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append(f"{where}: a number is expected")


def parse_sdl(text: str) -> Schema:
    """A schema file's object types, input types and enums (descriptions and directives skipped)."""
    reader = _Reader(text)
    types: dict[str, dict[str, tuple[str, dict[str, str]]]] = {}
    inputs: dict[str, dict[str, str]] = {}
    enums: dict[str, tuple[str, ...]] = {}
    while reader.peek() is not None:
        token = reader.take()
        if token.kind in ("string", "block"):
            continue
        if token.text == "schema":
            _skip_block(reader)
        elif token.text == "directive":
            while reader.peek() is not None and reader.peek().text != "on":  # type: ignore[union-attr]
                reader.take()
            reader.take("on")
            reader.take(kind="name")
            while reader.accept("|"):
                reader.take(kind="name")
        elif token.text == "scalar":
            reader.take(kind="name")
        elif token.text == "enum":
            name = reader.take(kind="name").text
            _directives(reader)
            reader.take("{")
            values = []
            while not reader.accept("}"):
                item = reader.take()
                if item.kind == "name":
                    values.append(item.text)
                    _directives(reader)
            enums[name] = tuple(values)
        elif token.text in ("type", "input"):
            name = reader.take(kind="name").text
            _directives(reader)
            reader.take("{")
            fields: dict[str, tuple[str, dict[str, str]]] = {}
            while not reader.accept("}"):
                item = reader.take()
                if item.kind != "name":
                    continue
                arguments: dict[str, str] = {}
                if reader.accept("("):
                    while not reader.accept(")"):
                        argument = reader.take()
                        if argument.kind != "name":
                            continue
                        reader.take(":")
                        arguments[argument.text] = _type(reader)
                        if reader.accept("="):
                            _value(reader)
                        _directives(reader)
                reader.take(":")
                fields[item.text] = (_type(reader), arguments)
                if reader.accept("="):
                    _value(reader)
                _directives(reader)
            if token.text == "type":
                types[name] = fields
            else:
                inputs[name] = {key: kind for key, (kind, _args) in fields.items()}
        else:
            raise GraphQLError(f"SDL: unexpected {token.text}")
    return Schema(types, inputs, enums)


def _type(reader: _Reader) -> str:
    if reader.accept("["):
        inner = _type(reader)
        reader.take("]")
        text = f"[{inner}]"
    else:
        text = reader.take(kind="name").text
    if reader.accept("!"):
        text += "!"
    return text


def _directives(reader: _Reader) -> None:
    while reader.accept("@"):
        reader.take(kind="name")
        if reader.accept("("):
            depth = 1
            while depth:
                token = reader.take()
                depth += {"(": 1, ")": -1}.get(token.text, 0) if token.kind == "punct" else 0


def _skip_block(reader: _Reader) -> None:
    reader.take("{")
    depth = 1
    while depth:
        token = reader.take()
        if token.kind == "punct":
            depth += {"{": 1, "}": -1}.get(token.text, 0)
