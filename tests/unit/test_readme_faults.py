"""The README's "What happens when" table: every row is backed by tests that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def table_rows() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## What happens when", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| When")]


def test_every_row_of_the_what_happens_when_table_names_tests_that_exist():
    rows = table_rows()
    assert len(rows) >= 25
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert len(cells) == 3 and all(cells), row
        named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", cells[2])
        assert named, row
        for file, test in named:
            found = sorted((ROOT / "tests").glob(f"*/{file}"))
            assert len(found) == 1, f"{file}: in {len(found)} tier folders of tests/"
            source = found[0].read_text()
            assert re.search(rf"^def {test}\(", source, re.MULTILINE), f"{file}::{test}"
