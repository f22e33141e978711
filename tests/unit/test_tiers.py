"""Every test is marked with its tier from what it uses, so `-m unit` runs no server and no subprocess."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from tests.spapi_simulator import Simulator
from tests.support.tiers import starts_a_process_or_server


def _adds(a: int, b: int) -> int:
    return a + b


def _starts_the_simulator() -> str:
    with Simulator(rows=1) as sim:
        return sim.url


def _runs_a_child() -> int:
    return subprocess.run([sys.executable, "-c", "pass"], check=False).returncode


def _calls_a_helper_that_starts_it() -> str:
    return _starts_the_simulator()


class _Client:
    def fetch(self) -> str:
        return _starts_the_simulator()


def _uses_a_class_that_starts_it() -> str:
    return _Client().fetch()


# Reached through a dict so that the tests below, which name only SAMPLES, stay in the unit tier.
SAMPLES: dict[str, Callable[..., Any]] = {
    "pure": _adds,
    "simulator": _starts_the_simulator,
    "child": _runs_a_child,
    "helper": _calls_a_helper_that_starts_it,
    "class": _uses_a_class_that_starts_it,
}


def test_a_function_that_starts_nothing_is_unit():
    assert not starts_a_process_or_server(SAMPLES["pure"])


@pytest.mark.parametrize("name", ["simulator", "child", "helper", "class"])
def test_a_function_that_starts_a_server_or_a_child_directly_or_through_this_suites_helpers_is_not(name: str):
    assert starts_a_process_or_server(SAMPLES[name])


def test_the_hook_marks_each_test_with_exactly_one_tier(request: pytest.FixtureRequest):
    tiers = [name for name in ("unit", "sim", "e2e") if request.node.get_closest_marker(name)]
    assert tiers == ["unit"]


def test_a_file_in_a_folder_faster_than_its_slowest_test_is_refused():
    from pathlib import Path

    from tests.support.tiers import misplaced

    tests = Path("tests")
    assert misplaced({tests / "unit" / "test_a.py": {"unit"}, tests / "sim" / "test_b.py": {"unit", "sim"}}) == []
    assert misplaced({tests / "sim" / "test_c.py": {"unit"}}) == []
    assert misplaced({tests / "unit" / "test_d.py": {"unit", "sim"}, tests / "sim" / "test_e.py": {"e2e"}}) == [
        "sim/test_e.py holds e2e tests: move it to tests/e2e/",
        "unit/test_d.py holds sim tests: move it to tests/sim/",
    ]
