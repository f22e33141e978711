"""Tests for tap_amazon_sp.operations.

The first group always runs. The second group compares the table with Amazon's Swagger models in
``../shared/spapi-models`` (next to the repository); it skips when that folder is absent, as on a
plain clone.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.operations import OPERATIONS, Operation, Param, match

MODELS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spapi-models"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
OP_NAMES = sorted(OPERATIONS)
_TEMPLATE_PARAM = re.compile(r"\{([^}]+)\}")


def concrete_path(op: Operation) -> tuple[str, dict[str, str]]:
    """Fill the op's path template with sample values; return the path and the values used."""
    values: dict[str, str] = {}

    def fill(found: re.Match[str]) -> str:
        values[found.group(1)] = f"amzn1.{found.group(1)}.12345"
        return values[found.group(1)]

    return _TEMPLATE_PARAM.sub(fill, op.path), values


# --- always ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OP_NAMES)
def test_match_finds_each_operation(name: str) -> None:
    op = OPERATIONS[name]
    path, values = concrete_path(op)
    assert match(op.method, path) == (op, values)
    # Clients may send the method in any case.
    assert match(op.method.lower(), path) == (op, values)


def test_match_decodes_path_params() -> None:
    result = match("GET", "/reports/2021-06-30/documents/amzn1%2Fdoc%20x")
    assert result is not None
    assert result[0].name == "getReportDocument"
    assert result[1] == {"reportDocumentId": "amzn1/doc x"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/nope"),
        ("GET", "/reports/2021-06-30/reports/"),
        ("GET", "/reports/2021-06-30/reports/123/extra"),
        ("GET", "/reports/2021-06-30/reports/123/"),
        ("GET", "/reports/2021-06-30/reports?reportTypes=X"),
        ("GET", "/reports/2020-09-04/reports"),
        ("GET", "/reports/2021-06-30/schedules"),
        ("GET", "/reports/2021-06-30/documents"),
        ("PUT", "/reports/2021-06-30/reports"),
        ("DELETE", "/reports/2021-06-30/reports"),
        ("POST", "/reports/2021-06-30/reports/123"),
        ("GET", "/orders/v0/orders"),
        ("POST", "/orders/2026-01-01/orders"),
        ("GET", "/finances/v0/financialEventGroups/abc/financialEvents"),
        ("GET", "/sellers/v1/account"),
        ("GET", "/REPORTS/2021-06-30/reports"),
    ],
)
def test_match_rejects_unknown(method: str, path: str) -> None:
    assert match(method, path) is None


@pytest.mark.parametrize("name", OP_NAMES)
def test_rate_and_burst_are_usable(name: str) -> None:
    op = OPERATIONS[name]
    assert op.rate > 0
    assert op.burst >= 1


@pytest.mark.parametrize("name", OP_NAMES)
def test_table_is_self_consistent(name: str) -> None:
    op = OPERATIONS[name]
    assert op.name == name
    assert op.method in {"GET", "POST", "DELETE"}
    assert op.path.startswith("/")
    assert op.success_status in {200, 201, 202, 204}
    keys = [(p.location, p.name) for p in op.params]
    assert len(keys) == len(set(keys)), "duplicate parameter"
    path_params = {p.name for p in op.params if p.location == "path"}
    assert path_params == set(_TEMPLATE_PARAM.findall(op.path))
    assert all(p.required for p in op.params if p.location == "path")
    for p in op.params:
        if p.min_items is not None or p.max_items is not None:
            assert p.kind == "array"
        if p.minimum is not None or p.maximum is not None:
            assert p.kind == "integer"
        if p.fields:
            assert p.kind == "object"


# --- against Amazon's models ----------------------------------------------------------------


def require_models() -> Path:
    if not MODELS_DIR.is_dir():
        pytest.skip(f"SP-API models not found at {MODELS_DIR} (only present next to a full checkout)")
    return MODELS_DIR


@cache
def load_model(api: str) -> dict[str, Any]:
    with (require_models() / f"{api}.json").open(encoding="utf-8") as fh:
        model: dict[str, Any] = json.load(fh)
    return model


def resolve(model: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow local JSON references such as ``#/definitions/X`` (possibly chained)."""
    seen: set[str] = set()
    while "$ref" in node:
        ref: str = node["$ref"]
        assert ref.startswith("#/") and ref not in seen, f"unsupported or cyclic $ref {ref}"
        seen.add(ref)
        target: Any = model
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def _split_row(line: str) -> list[str] | None:
    line = line.strip()
    if "|" not in line:
        return None
    line = line.removeprefix("|").removesuffix("|")
    return [cell.strip() for cell in line.split("|")]


def parse_usage_plan(description: str) -> tuple[float, int]:
    """Read rate and burst from the one markdown table headed "Rate (requests per second) | Burst".

    Tolerates bold or plain "Usage Plan" headings, column order, alignment colons and
    surrounding whitespace; insists on exactly one such table so a second plan is noticed.
    """
    lines = description.splitlines()
    plans: list[tuple[float, int]] = []
    for i, line in enumerate(lines):
        header = _split_row(line)
        if header is None:
            continue
        lowered = [re.sub(r"\s+", " ", c.strip("*_ ").lower()) for c in header]
        rate_col = next((j for j, c in enumerate(lowered) if c.startswith("rate") and "second" in c), None)
        burst_col = next((j for j, c in enumerate(lowered) if c == "burst"), None)
        if rate_col is None or burst_col is None:
            continue
        for row_line in lines[i + 1 :]:
            row = _split_row(row_line)
            assert row is not None, f"Usage Plan table has a header but no data row: {line!r}"
            if all(re.fullmatch(r":?-+:?", c) for c in row if c):
                continue
            plans.append((float(row[rate_col].strip("* ")), int(row[burst_col].strip("* "))))
            break
    assert len(plans) == 1, f"expected one Usage Plan table, found {len(plans)}"
    return plans[0]


def model_param(model: dict[str, Any], name: str, location: str, schema: dict[str, Any], required: bool) -> Param:
    schema = resolve(model, schema)
    kind = _kind(schema, name)
    assert location in {"query", "path", "body"}, f"{name}: unsupported location {location!r}"
    items = resolve(model, schema.get("items", {})) if kind == "array" else {}
    enum_source = items if kind == "array" else schema
    # An object's properties are fields of their own (the body's nested objects).
    fields: tuple[Param, ...] = ()
    if kind == "object":
        required_fields = set(schema.get("required", ()))
        fields = tuple(
            model_param(model, field, location, field_schema, field in required_fields)
            for field, field_schema in schema.get("properties", {}).items()
        )
    return Param(
        name=name,
        location=location,  # type: ignore[arg-type]  # checked just above
        kind=kind,  # type: ignore[arg-type]  # _kind returned one of the kinds
        required=required,
        enum=tuple(enum_source.get("enum", ())),
        min_items=schema.get("minItems"),
        max_items=schema.get("maxItems"),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        items=_kind(items, f"{name}[]") if kind == "array" else "string",  # type: ignore[arg-type]
        fields=fields,
    )


def _kind(schema: dict[str, Any], name: str) -> str:
    kind = schema.get("type")
    if kind == "string" and schema.get("format") == "date-time":
        kind = "date-time"
    assert kind in {"string", "integer", "number", "boolean", "date-time", "array", "object"}, (
        f"{name}: unsupported type {schema.get('type')!r}"
    )
    return str(kind)


def model_params(model: dict[str, Any], path_item: dict[str, Any], op: dict[str, Any]) -> list[Param]:
    # Operation-level parameters override path-level ones with the same name and location.
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*path_item.get("parameters", []), *op.get("parameters", [])]:
        p = resolve(model, raw)
        merged[(p["in"], p["name"])] = p
    params: list[Param] = []
    for p in merged.values():
        if p["in"] == "body":
            body = resolve(model, p["schema"])
            assert body.get("type", "object") == "object", "non-object body"
            required = set(body.get("required", ()))
            for prop, prop_schema in body.get("properties", {}).items():
                params.append(model_param(model, prop, "body", prop_schema, prop in required))
        else:
            params.append(model_param(model, p["name"], p["in"], p, bool(p.get("required"))))
    return params


def find_model_operation(model: dict[str, Any], operation_id: str) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    found = [
        (method, path, item, op)
        for path, item in model["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS and op.get("operationId") == operation_id
    ]
    assert len(found) == 1, f"{operation_id}: found {len(found)} times in the model"
    return found[0]


@pytest.mark.parametrize("name", OP_NAMES)
def test_operation_matches_model(name: str) -> None:
    op = OPERATIONS[name]
    model = load_model(op.api)
    assert model.get("basePath", "/") == "/", "paths are only full paths when basePath is /"
    method, path, path_item, model_op = find_model_operation(model, op.name)

    assert (op.method, op.path) == (method.upper(), path)
    success = [int(code) for code in model_op["responses"] if code.startswith("2")]
    assert [op.success_status] == success

    expected = {(p.location, p.name): p for p in model_params(model, path_item, model_op)}
    actual = {(p.location, p.name): p for p in op.params}
    assert sorted(actual) == sorted(expected), "parameter set differs"
    for key, param in expected.items():
        assert actual[key] == param, f"{key} differs"

    assert (op.rate, op.burst) == parse_usage_plan(model_op.get("description", ""))


@pytest.mark.parametrize("api", sorted({op.api for op in OPERATIONS.values()}))
def test_other_model_operations_do_not_match(api: str) -> None:
    """Sibling operations in the same models must not be mistaken for ones in the table."""
    model = load_model(api)
    ours = {op.name for op in OPERATIONS.values()}
    for path, item in model["paths"].items():
        for method, model_op in item.items():
            if method not in HTTP_METHODS or model_op.get("operationId") in ours:
                continue
            concrete = _TEMPLATE_PARAM.sub("sample123", path)
            assert match(method, concrete) is None, f"{model_op.get('operationId')} matched"


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            "x\n\n**Usage Plan:**\n\n| Rate (requests per second) | Burst |\n| ---- | ---- |\n| 0.0167 | 15 |\n\ny",
            (0.0167, 15),
        ),
        ("Usage plan:\n\n|Burst|Rate (requests per second)|\n|:--:|--|\n|  2 | 0.5  |", (0.5, 2)),
        ("Usage Plan:\nRate (requests per second) | Burst\n--- | ---\n2 | 2\n", (2.0, 2)),
    ],
)
def test_parse_usage_plan(description: str, expected: tuple[float, int]) -> None:
    assert parse_usage_plan(description) == expected


def test_parse_usage_plan_rejects_missing_table() -> None:
    with pytest.raises(AssertionError):
        parse_usage_plan("Returns things. No usage plan here.")
