"""End to end: three Amazon accounts synced at once by Dagster into one warehouse.

Three simulators, each an account with its own credentials and data: a US seller, a JP seller (the
FE region) and a US vendor. Three extractors inherit from tap-amazon-sp in the Meltano project
(the README's "Many accounts" pattern), each with its own account_id and its secrets from the
environment. Meltano's system database and the warehouse are PostgreSQL databases of the
throwaway server; Dagster (orchestration/dagster/defs.py, its own virtualenv) runs the job
`all_accounts`, one `meltano run` per account, side by side.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import test_e2e_meltano as single_account
from tests.e2e.test_e2e_meltano import Postgres, query
from tests.spapi_simulator import Simulator
from tests.support.dagster_env import DEFINITIONS, dagster_executable
from tests.support.expectations import expected
from tests.support.meltano_env import clean_env, copy_project, meltano_executable

pytestmark = pytest.mark.e2e

US, JP = "ATVPDKIKX0DER", "A1VC38T7YXB528"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
VENDOR_SALES = "GET_VENDOR_SALES_REPORT"
START, END = "2024-01-01T00:00:00Z", "2024-01-15T00:00:00Z"
SCHEMA = "amazon_sp"
# A column (or two) of each stream's key that the simulator's records hold, to compare rows by.
KEYS = {ORDERS: ("amazon_order_id", "sku"), LISTINGS: ("seller_sku",), VENDOR_SALES: ("asin", "start_date")}


@dataclass(frozen=True)
class Account:
    extractor: str  # tap-amazon-sp--<name>
    account_id: str
    region: str
    marketplace: str
    account_type: str
    streams: tuple[str, ...]
    seed: int

    @property
    def prefix(self) -> str:
        """Meltano's environment variable prefix of the extractor: TAP_AMAZON_SP__US_SELLER_."""
        return self.extractor.upper().replace("-", "_") + "_"

    @property
    def op(self) -> str:
        return "sync_" + self.extractor.replace("-", "_")

    @property
    def state_id(self) -> str:
        return f"dev:{self.extractor}-to-target-postgres"

    def block(self) -> str:
        """Its entry in meltano.yml's extractors, as the README writes one."""
        select = "".join(f"\n    - {stream}.*" for stream in self.streams)
        return (
            f"\n  - name: {self.extractor}\n    inherit_from: tap-amazon-sp\n    config:\n"
            f"      account_id: {self.account_id}\n      account_type: {self.account_type}\n"
            f"      region: {self.region}\n      marketplace_ids: [{self.marketplace}]\n"
            f"    select:{select}"
        )


ACCOUNTS = (
    Account("tap-amazon-sp--us-seller", "A1USSELLER", "US", US, "Seller", (ORDERS, LISTINGS), 21),
    Account("tap-amazon-sp--jp-seller", "A2JPSELLER", "JP", JP, "Seller", (ORDERS, LISTINGS), 22),
    Account("tap-amazon-sp--us-vendor", "VENDORUS1", "US", US, "Vendor", (VENDOR_SALES,), 23),
)
TABLES = (ORDERS, LISTINGS, VENDOR_SALES)
# The server the single-account flows use (a throwaway cluster, or TAP_AMAZON_SP_E2E_POSTGRES_URL).
postgres = single_account.postgres


@pytest.fixture(scope="module")
def simulators() -> Iterator[dict[str, Simulator]]:
    sims: dict[str, Simulator] = {}
    try:
        for account in ACCOUNTS:
            name = account.extractor.rsplit("--", 1)[1]
            sim = Simulator(
                seed=account.seed,
                rows=30,
                processing_delay=0.05,
                rate_scale=2000,
                client_id=f"amzn1.application-oa2-client.{name}",
                client_secret=f"secret-of-{name}-DO-NOT-LOG",
                refresh_token=f"Atzr|token-of-{name}-DO-NOT-LOG",
                faults={"account_type": account.account_type},
            )
            sims[account.extractor] = sim.__enter__()
        yield sims
    finally:
        for sim in sims.values():
            sim.stop()


@dataclass
class Project:
    root: Path
    meltano: Path
    dagster: Path

    def run(self, command: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def dagster_job(self, *ops: str) -> list[str]:
        selection = ["-o", ",".join(ops)] if ops else []
        return [str(self.dagster), "job", "execute", "-f", str(DEFINITIONS), "-j", "all_accounts", *selection]

    def state_list(self, env: dict[str, str]) -> list[str]:
        proc = self.run([str(self.meltano), "state", "list"], env)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return sorted(line.strip() for line in proc.stdout.splitlines() if line.strip())

    def state(self, env: dict[str, str], state_id: str) -> dict[str, Any]:
        proc = self.run([str(self.meltano), "state", "get", state_id], env)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return dict(json.loads(proc.stdout))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    meltano = meltano_executable()
    # Installed by scripts/test's setup; made here on first use otherwise (about a minute).
    dagster = dagster_executable()
    root = copy_project(tmp_path_factory.mktemp("accounts-project"))
    text = (root / "meltano.yml").read_text(encoding="utf-8")
    at = text.index("\n  loaders:\n", text.index("\nplugins:\n"))
    text = text[:at] + "".join(account.block() for account in ACCOUNTS) + text[at:]
    (root / "meltano.yml").write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [str(meltano), "install"], cwd=root, env=clean_env(), capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Project(root, meltano, dagster)


def accounts_env(
    project: Project, sims: dict[str, Simulator], postgres: Postgres, tmp: Path, name: str
) -> tuple[dict[str, str], str]:
    """The environment of one deployment: its own system database and warehouse, every account's
    secrets and (here) its simulator's address under the account's own variables."""
    warehouse = postgres.database(f"{name}_warehouse")
    system = postgres.database(f"{name}_meltano")
    env = {
        "MELTANO_DATABASE_URI": system,
        "TARGET_POSTGRES_SQLALCHEMY_URL": warehouse,
        "TAP_AMAZON_SP_START_DATE": START,
        "TAP_AMAZON_SP_END_DATE": END,
        "MELTANO_PROJECT_ROOT": str(project.root),
        "MELTANO_BIN": str(project.meltano),
        "DAGSTER_HOME": str(tmp),
    }
    for account in ACCOUNTS:
        sim = sims[account.extractor]
        env |= {
            f"{account.prefix}LWA_CLIENT_ID": sim.credentials.client_id,
            f"{account.prefix}LWA_CLIENT_SECRET": sim.credentials.client_secret,
            f"{account.prefix}REFRESH_TOKEN": sim.credentials.refresh_token,
            f"{account.prefix}SP_API_URL": sim.url,
            f"{account.prefix}LWA_TOKEN_URL": f"{sim.url}/auth/o2/token",
        }
    return clean_env(**env), warehouse


def rows_by_account(warehouse: str, stream: str) -> dict[str, list[tuple[Any, ...]]]:
    columns = ", ".join(f'"{c}"' for c in KEYS[stream])
    found: dict[str, list[tuple[Any, ...]]] = {}
    for account_id, *key in query(warehouse, f'SELECT account_id, {columns} FROM {SCHEMA}."{stream}"'):
        found.setdefault(account_id, []).append(tuple(str(k) for k in key))
    return {account_id: sorted(keys) for account_id, keys in found.items()}


def expected_by_account(sims: dict[str, Simulator], stream: str) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for account in ACCOUNTS:
        if stream in account.streams:
            records = expected(sims[account.extractor], stream, account.marketplace, START, END)
            found[account.account_id] = sorted(tuple(str(r[k]) for k in KEYS[stream]) for r in records)
    return found


def every_row(warehouse: str, stream: str, account_id: str) -> list[tuple[Any, ...]]:
    """An account's rows whole, load metadata (_sdc_*) included: a run that upserts them changes them."""
    rows = query(warehouse, f'SELECT * FROM {SCHEMA}."{stream}" WHERE account_id = %s', account_id)
    return sorted(rows, key=repr)


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


@pytest.fixture(scope="module")
def flow(
    project: Project, simulators: dict[str, Simulator], postgres: Postgres, tmp_path_factory: pytest.TempPathFactory
) -> Flow:
    env, warehouse = accounts_env(project, simulators, postgres, tmp_path_factory.mktemp("dagster"), "accounts")
    run_held_until_all_ask(project, env, simulators)
    violations = [v for sim in simulators.values() for v in sim.violations]
    rows = {stream: rows_by_account(warehouse, stream) for stream in TABLES}
    return Flow(env, warehouse, rows, project.state_list(env), violations)


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
    for stream in (ORDERS, LISTINGS):
        assert rows_by_account(warehouse, stream) == expected_by_account(simulators, stream), stream
    # The vendor's stream sent its SCHEMA (the target made the table) and no record.
    assert query(warehouse, f'SELECT count(*) FROM {SCHEMA}."{VENDOR_SALES}"') == [(0,)]
    assert project.state_list(env) == sorted(a.state_id for a in ACCOUNTS[:2])


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
