"""Shared fixtures: one simulator for the whole session, reset between tests, and its config."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from tap_amazon_sp.catalogue import REPORTS
from tests.spapi_simulator import Simulator, every_issued_secret
from tests.support.tap_runner import CAPTURED, secrets_in
from tests.support.tiers import mark_tiers

# Property tests assert what the tap does, not how fast: Hypothesis's per-example deadline (200 ms)
# fails them on a loaded machine (a first example once took 286 ms, its replay 2 ms).
settings.register_profile("tap-amazon-sp", deadline=None)
settings.load_profile("tap-amazon-sp")

# Amazon's usage plans, sped up: the tap learns the rate from x-amzn-RateLimit-Limit as it would
# from Amazon, so tests exercise the same code without minute-long waits.
RATE_SCALE = 2000
START = "2024-01-01T00:00:00Z"
END = "2024-07-01T00:00:00Z"


@pytest.fixture(scope="session")
def simulator() -> Iterator[Simulator]:
    with Simulator(seed=7, rows=60, processing_delay=0.05, rate_scale=RATE_SCALE) as sim:
        yield sim


@pytest.fixture
def sim(simulator: Simulator) -> Iterator[Simulator]:
    """The shared simulator, clean, and checked for requests Amazon's models would refuse."""
    simulator.reset()
    yield simulator
    violations = simulator.violations
    simulator.reset()
    assert violations == [], violations


def make_config(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "lwa_client_id": sim.credentials.client_id,
        "lwa_client_secret": sim.credentials.client_secret,
        "refresh_token": sim.credentials.refresh_token,
        "region": "US",
        "start_date": START,
        "end_date": END,
        "sp_api_url": sim.url,
        "lwa_token_url": f"{sim.url}/auth/o2/token",
        "fatal_retry_cooldown_seconds": 0.05,
        # The session's simulator keeps every report earlier tests made; tests of reuse turn it on.
        "report_reuse_max_age_hours": 0,
        # Retries after 10 ms instead of 1 s: the same backoff, scaled like the usage plans.
        "retry_base_seconds": 0.01,
    }
    config.update(overrides)
    return config


@pytest.fixture
def config(sim: Simulator) -> dict[str, Any]:
    return make_config(sim)


# The SDK's standard "attribute is an object" test needs a non-null value, but these two fields
# stay null unless a document holds something the schema does not cover; the simulator's clean
# data never does. tests/sim/test_bad_documents.py drives them with real bad documents instead.
NULL_UNLESS_BAD = (".extra_columns]", ".unparsed_values]")
# Buyer and recipient are PII, null unless include_pii is on (tests/sim/test_orders.py covers both).
NULL_WITHOUT_PII = ("[orders.buyer]", "[orders.recipient]")
# A snapshot report has no window: its records' data_start_time is always null.
SNAPSHOT_WINDOW_STARTS = tuple(f"[{spec.stream}.data_start_time]" for spec in REPORTS if not spec.windowed)


# First, so that `-m unit`, `-m sim` and `-m "not e2e"` (pytest's own hook) see the tiers.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mark_tiers(items)
    deselected = [
        item
        for item in items
        if (
            getattr(item, "originalname", "") == "test_tap_stream_attribute_is_object"
            and item.name.endswith(NULL_UNLESS_BAD + NULL_WITHOUT_PII)
        )
        or (
            getattr(item, "originalname", "") == "test_tap_stream_attribute_is_datetime"
            and item.name.endswith(SNAPSHOT_WINDOW_STARTS)
        )
    ]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = [item for item in items if item not in deselected]


class _SecretSearch:
    """Searches every tap run not yet searched for every secret any simulator of this process
    issued, so that a leak fails the test that printed it (or the next one, for a run made by a
    fixture), whichever worker runs it."""

    searched = 0

    @classmethod
    def search(cls) -> None:
        runs = CAPTURED[cls.searched :]
        cls.searched += len(runs)
        if not runs:
            return
        secrets = every_issued_secret()
        leaked = {index: found for index, run in enumerate(runs) if (found := secrets_in(run, secrets))}
        assert leaked == {}, f"{len(leaked)} of this test's {len(runs)} tap runs printed a secret: {leaked}"


@pytest.fixture(autouse=True)
def _no_secret_in_this_tests_output() -> Iterator[None]:
    yield
    _SecretSearch.search()


@pytest.fixture(scope="session", autouse=True)
def _no_secret_in_the_last_fixtures_output() -> Iterator[None]:
    yield
    _SecretSearch.search()
