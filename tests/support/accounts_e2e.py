"""The three accounts of the end-to-end tests of many accounts (tests/e2e/test_e2e_accounts*.py):
their simulators, their extractors in a copy of the Meltano project, their environment, and what
their tables must hold.

Three simulators, each an account with its own credentials and data: a US seller, a JP seller (the
FE region) and a US vendor. Three extractors inherit from tap-amazon-sp in the Meltano project
(the README's "Many accounts" pattern), each with its own account_id and its secrets from the
environment. Meltano's system database and the warehouse are PostgreSQL databases of the
throwaway server; Dagster (orchestration/dagster/defs.py, its own virtualenv) runs the job
`all_accounts`, one `meltano run` per account, side by side.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.test_e2e_meltano import Postgres, query
from tests.spapi_simulator import Simulator
from tests.support.dagster_env import DEFINITIONS, dagster_executable
from tests.support.expectations import expected
from tests.support.meltano_env import clean_env, copy_project, meltano_executable

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


@contextlib.contextmanager
def account_simulators() -> Iterator[dict[str, Simulator]]:
    """One simulator per account: its own credentials, data (seed) and account type."""
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


def accounts_project(root: Path) -> Project:
    """A copy of the repository's Meltano project in `root` with the three accounts' extractors, installed."""
    meltano = meltano_executable()
    # Installed by scripts/test's setup; made here on first use otherwise (about a minute).
    dagster = dagster_executable()
    copy_project(root)
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


def leaked(output: str, sims: dict[str, Simulator]) -> list[str]:
    """The simulators' secrets (client secrets, refresh tokens, access tokens) found in `output`."""
    return [f"a secret of {name}" for name, sim in sims.items() for secret in sim.issued_secrets() if secret in output]
