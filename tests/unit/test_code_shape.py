"""The package's shape rules, checked on its source: a rule the README states but nothing checks
erodes one stream at a time."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tap_amazon_sp"
# A class longer than this does more than one job: split it along its responsibilities.
MAX_CLASS_LINES = 250


def long_classes(source: str, name: str, limit: int = MAX_CLASS_LINES) -> list[str]:
    """`name:Class (N lines)` for each class in `source` (nested ones too) longer than `limit`
    lines, its decorators included."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = (node.end_lineno or node.lineno) - first + 1
            if lines > limit:
                found.append(f"{name}:{node.name} ({lines} lines)")
    return found


def test_no_class_in_the_package_is_over_250_lines():
    found = [hit for path in sorted(PACKAGE.glob("*.py")) for hit in long_classes(path.read_text("utf-8"), path.name)]
    assert found == [], f"classes over {MAX_CLASS_LINES} lines in tap_amazon_sp/ (split them):\n" + "\n".join(found)


def test_the_class_check_names_a_long_class_and_only_it():
    # The check above must be able to fail: a 251-line class is named, with its decorator counted, a
    # 250-line one and the module's other lines are not.
    body = "\n".join(f"    x{i} = {i}" for i in range(249))
    source = textwrap.dedent(
        """
        import dataclasses

        @dataclasses.dataclass
        class Long:
        {body}

        class Short:
        {body}
        """
    ).format(body=body)
    assert long_classes(source, "streams.py") == ["streams.py:Long (251 lines)"]
    assert long_classes(source, "streams.py", limit=251) == []
