"""Fixtures of the end-to-end tests of many accounts (tests/e2e/test_e2e_accounts*.py), each made
once per test module: a module runs its accounts against simulators and a project of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e import test_e2e_meltano as single_account
from tests.spapi_simulator import Simulator
from tests.support.accounts_e2e import Project, account_simulators, accounts_project

# The server the single-account flows use (a throwaway cluster, or TAP_AMAZON_SP_E2E_POSTGRES_URL).
postgres = single_account.postgres


@pytest.fixture(scope="module")
def simulators() -> Iterator[dict[str, Simulator]]:
    """The three accounts' simulators (tests/support/accounts_e2e.py)."""
    with account_simulators() as sims:
        yield sims


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the Meltano project with the three accounts' extractors, installed, and Dagster
    (tests/e2e/test_e2e_meltano.py has a single-account `project` of its own)."""
    return accounts_project(tmp_path_factory.mktemp("accounts-project"))
