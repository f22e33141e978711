"""End to end: three Amazon accounts synced at once by Dagster into one warehouse.

The accounts, their simulators and their extractors are in tests/support/accounts_e2e.py; the run
with one account refused is tests/e2e/test_e2e_accounts_refused.py (a file of its own, so that it
runs beside this one).
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_e2e_meltano import Postgres, query
from tests.spapi_simulator import Simulator
from tests.support.accounts_e2e import (
    ACCOUNTS,
    DEFINITIONS,
    LISTINGS,
    ORDERS,
    TABLES,
    Project,
    accounts_env,
    every_row,
    expected_by_account,
    leaked,
    rows_by_account,
)
from tests.support.meltano_env import clean_env

pytestmark = pytest.mark.e2e


def run_held_until_all_ask(project: Project, env: dict[str, str], sims: dict[str, Simulator]) -> str:
    """Run the Dagster job with every simulator's reports held until each account has asked for
    one: it finishes only if the three runs were under way at the same time. Returns its output."""
    for sim in sims.values():
        sim.set_faults(hold_reports=True)
    log = Path(env["DAGSTER_HOME"]) / "all_accounts.log"
    with log.open("w") as output:
        proc = subprocess.Popen(
            project.dagster_job(), cwd=project.root, env=env, stdout=output, stderr=subprocess.STDOUT, text=True
        )
    try:
        deadline = time.monotonic() + 240
        asked: set[str] = set()
        while proc.poll() is None and time.monotonic() < deadline and len(asked) < len(sims):
            asked = {name for name, sim in sims.items() if any(r.operation == "createReport" for r in sim.requests)}
            time.sleep(0.2)
        assert len(asked) == len(sims), (
            f"only {sorted(asked)} asked for a report while the others' were held (exit {proc.poll()}):\n"
            + log.read_text(errors="replace")[-4000:]
        )
    finally:
        for sim in sims.values():
            sim.set_faults(hold_reports=False)
        proc.wait(timeout=300)
    text = log.read_text(errors="replace")
    assert proc.returncode == 0, text[-6000:]
    return text


@dataclass
class Flow:
    env: dict[str, str]
    warehouse: str
    rows: dict[str, dict[str, list[tuple[Any, ...]]]]
    state_ids: list[str]
    violations: list[str]
    output: str  # what Dagster printed, every account's Meltano output included


@pytest.fixture(scope="module")
def flow(
    project: Project, simulators: dict[str, Simulator], postgres: Postgres, tmp_path_factory: pytest.TempPathFactory
) -> Flow:
    env, warehouse = accounts_env(project, simulators, postgres, tmp_path_factory.mktemp("dagster"), "accounts")
    output = run_held_until_all_ask(project, env, simulators)
    violations = [v for sim in simulators.values() for v in sim.violations]
    rows = {stream: rows_by_account(warehouse, stream) for stream in TABLES}
    return Flow(env, warehouse, rows, project.state_list(env), violations, output)


def test_three_accounts_run_at_once_and_each_table_holds_exactly_each_accounts_rows(
    flow: Flow, simulators: dict[str, Simulator]
):
    assert flow.violations == []
    for stream in TABLES:
        want = expected_by_account(simulators, stream)
        assert all(want.values()), stream
        assert flow.rows[stream] == want, stream
    # Two sellers' data in the same tables, told apart by account_id alone.
    orders = flow.rows[ORDERS]
    assert orders["A1USSELLER"] != orders["A2JPSELLER"]
    assert "sync_tap_amazon_sp__jp_seller" in flow.output
    assert leaked(flow.output, simulators) == []


def test_the_system_database_in_postgres_holds_one_state_per_account(flow: Flow, project: Project, postgres: Postgres):
    assert flow.state_ids == sorted(account.state_id for account in ACCOUNTS)
    # The state is in PostgreSQL (MELTANO_DATABASE_URI), where several runners can share it.
    stored = query(flow.env["MELTANO_DATABASE_URI"], "SELECT state_id FROM state")
    assert sorted(row[0] for row in stored) == flow.state_ids
    for account in ACCOUNTS:
        bookmarks = project.state(flow.env, account.state_id)["singer_state"]["bookmarks"]
        assert set(bookmarks) >= {s for s in account.streams if s != LISTINGS}, account.extractor


def test_rerunning_one_account_touches_neither_the_others_rows_nor_their_state(
    flow: Flow, project: Project, simulators: dict[str, Simulator]
):
    jp, others = ACCOUNTS[1], (ACCOUNTS[0], ACCOUNTS[2])
    before = {a.account_id: {s: every_row(flow.warehouse, s, a.account_id) for s in a.streams} for a in others}
    states = {a.state_id: project.state(flow.env, a.state_id) for a in others}
    jp_before = every_row(flow.warehouse, LISTINGS, jp.account_id)
    for sim in simulators.values():
        sim.clear_requests()
    proc = project.run(project.dagster_job(jp.op), flow.env)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    assert simulators[jp.extractor].requests
    assert [r for a in others for r in simulators[a.extractor].requests] == []
    after = {a.account_id: {s: every_row(flow.warehouse, s, a.account_id) for s in a.streams} for a in others}
    assert after == before
    assert {a.state_id: project.state(flow.env, a.state_id) for a in others} == states
    # The account that ran again did load again: its snapshot rows are upserted (new load times).
    jp_after = every_row(flow.warehouse, LISTINGS, jp.account_id)
    assert len(jp_after) == len(jp_before) and jp_after != jp_before


def test_the_definitions_have_an_op_per_account_and_run_on_the_accounts_schedule(project: Project):
    # What `dagster dev` and the daemon load: the job's ops, read from meltano.yml, and the schedule.
    script = (
        "import json, runpy, sys\n"
        "defs = runpy.run_path(sys.argv[1])['defs']\n"
        "job, schedule = defs.get_job_def('all_accounts'), defs.get_schedule_def('all_accounts_schedule')\n"
        "print(json.dumps({'ops': sorted(node.name for node in job.nodes), 'cron': schedule.cron_schedule,\n"
        "                  'timezone': schedule.execution_timezone, 'status': schedule.default_status.value}))\n"
    )
    env = clean_env(MELTANO_PROJECT_ROOT=str(project.root), ACCOUNTS_SCHEDULE="30 2 * * 1-5")
    proc = project.run([str(project.dagster.with_name("python")), "-c", script, str(DEFINITIONS)], env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found == {
        "ops": sorted(["system_database", *(account.op for account in ACCOUNTS)]),
        "cron": "30 2 * * 1-5",
        "timezone": "UTC",
        "status": "RUNNING",
    }
