"""End to end: of three Amazon accounts run at once by Dagster, one is refused by Login with Amazon
(401 invalid_client): its op fails in one line, the other two finish. The accounts are those of
tests/e2e/test_e2e_accounts.py (tests/support/accounts_e2e.py), with simulators of their own here.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_e2e_meltano import Postgres, query
from tests.spapi_simulator import Simulator
from tests.support.accounts_e2e import (
    ACCOUNTS,
    LISTINGS,
    ORDERS,
    SCHEMA,
    VENDOR_SALES,
    Project,
    accounts_env,
    expected_by_account,
    leaked,
    rows_by_account,
)

pytestmark = pytest.mark.e2e


def test_an_account_whose_client_is_refused_fails_in_one_line_and_the_others_finish(
    project: Project,
    simulators: dict[str, Simulator],
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    env, warehouse = accounts_env(project, simulators, postgres, tmp_path_factory.mktemp("dagster-refused"), "refused")
    vendor = ACCOUNTS[2]
    simulators[vendor.extractor].set_faults(invalid_client=True)
    try:
        proc = project.run(project.dagster_job(), env)
    finally:
        simulators[vendor.extractor].set_faults(invalid_client=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-6000:]
    # Dagster's failure of the vendor's op is the tap's one line, prefixed by the account.
    reason = (
        f"{vendor.extractor}: Login with Amazon refused the client (invalid_client): check lwa_client_id and "
        "lwa_client_secret"
    )
    assert reason in output, output[-6000:]
    assert leaked(output, simulators) == []
    for stream in (ORDERS, LISTINGS):
        assert rows_by_account(warehouse, stream) == expected_by_account(simulators, stream), stream
    # The vendor's stream sent its SCHEMA (the target made the table) and no record.
    assert query(warehouse, f'SELECT count(*) FROM {SCHEMA}."{VENDOR_SALES}"') == [(0,)]
    assert project.state_list(env) == sorted(a.state_id for a in ACCOUNTS[:2])
