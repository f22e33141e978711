"""End to end: `meltano run tap-amazon-sp target-postgres` into a real PostgreSQL, against the simulator.

Real Meltano (its own virtualenv, installing the tap from this checkout and target-postgres from
PyPI), real PostgreSQL (TAP_AMAZON_SP_E2E_POSTGRES_URL, or a throwaway cluster started here), and
the simulator in this process so its request log and ground truth can be read directly. A missing
PostgreSQL or Meltano is a failure that says what to install, never a skip.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tap_amazon_sp.catalogue import BY_STREAM
from tap_amazon_sp.client import rest_stream_classes
from tap_amazon_sp.records import parse_datetime
from tests.sim.test_search_performance import sqp_expected
from tests.spapi_simulator import Simulator
from tests.support.expectations import expected, listed_settlements
from tests.support.meltano_env import REPO, clean_env, copy_project, meltano_executable
from tests.support.meltano_hub import LoopbackHub, Plugin
from tests.support.pgcluster import PostgresCluster, PostgresUnavailable
from tests.support.tap_runner import report_requests

pytestmark = pytest.mark.e2e

JP = "A1VC38T7YXB528"
US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"
SETTLEMENT_V2 = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
STREAMS = (ORDERS, LISTINGS, REIMBURSEMENTS)
WINDOWED = (ORDERS, REIMBURSEMENTS)
INVENTORY = "fba_inventory_summaries"
START, MIDDLE, END = "2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-05-01T00:00:00Z"
SCHEMA = "amazon_sp"
STATE_ID = "dev:tap-amazon-sp-to-target-postgres"
PROD_STATE_ID = "prod:tap-amazon-sp-to-target-postgres"
# Columns that differ between two correct loads of the same data: load metadata, and the report
# IDs (each run requests its own reports).
VOLATILE = ("report_id",)


def bookmark_value(iso: str) -> str:
    return iso.replace("Z", "+00:00")


# ---- PostgreSQL -------------------------------------------------------------------------------


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        pytest.fail("psycopg is not installed: `pip install -e '.[test]'` (scripts/test does it)")
    return psycopg


class Postgres:
    """A server for the tests; each flow gets a database of its own."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.created: list[str] = []

    def database(self, name: str) -> str:
        psycopg = _psycopg()
        database = f"e2e_{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_libpq(self.url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return self.url.rsplit("/", 1)[0] + "/" + database

    def drop_all(self) -> None:
        psycopg = _psycopg()
        with psycopg.connect(_libpq(self.url), autocommit=True) as conn:
            for database in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with _psycopg().connect(_libpq(url)) as conn:
        return [tuple(row) for row in conn.execute(sql, params)]


def tables(url: str) -> set[str]:
    rows = query(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", SCHEMA)
    return {row[0] for row in rows}


def count(url: str, stream: str) -> int:
    return int(query(url, f'SELECT count(*) FROM {SCHEMA}."{stream}"')[0][0])


def column_types(url: str, stream: str) -> dict[str, str]:
    rows = query(
        url,
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
        SCHEMA,
        stream,
    )
    return {str(name): str(kind) for name, kind in rows}


def content(url: str, stream: str) -> list[tuple[Any, ...]]:
    """Every row of a table, without the columns that legitimately differ between loads, sorted."""
    columns = sorted(c for c in column_types(url, stream) if not c.startswith("_sdc_") and c not in VOLATILE)
    listed = ", ".join(f'"{c}"' for c in columns)
    return sorted(query(url, f'SELECT {listed} FROM {SCHEMA}."{stream}"'), key=repr)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    _psycopg()
    url = os.environ.get("TAP_AMAZON_SP_E2E_POSTGRES_URL")
    cluster: PostgresCluster | None = None
    if not url:
        try:
            cluster = PostgresCluster()
            url = cluster.start()
        except PostgresUnavailable as exc:
            pytest.fail(f"the end-to-end tests need PostgreSQL: {exc}")
    server = Postgres(url)
    try:
        yield server
    finally:
        if cluster is not None:
            cluster.stop()
        else:
            server.drop_all()


# ---- Meltano ----------------------------------------------------------------------------------


@dataclass
class Project:
    """A copy of the repository's meltano.yml, its plugins installed once for the whole module."""

    root: Path
    executable: Path
    log: list[str] = field(default_factory=list)
    selected: str = ""

    def command(self, *args: str) -> list[str]:
        return [str(self.executable), *args]

    def meltano(self, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
        proc = self.attempt(*args, env=env, timeout=timeout)
        if proc.returncode != 0:
            pytest.fail(f"`meltano {' '.join(args)}` failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        return proc.stdout

    def attempt(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        began = time.monotonic()
        proc = subprocess.run(
            self.command(*args),
            cwd=self.root,
            env=env or clean_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        self.log.append(f"meltano {' '.join(args)}: {time.monotonic() - began:.1f} s")
        return proc


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with Simulator(seed=3, rows=60, processing_delay=0.05, rate_scale=2000) as sim:
        yield sim


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, simulator: Simulator) -> Project:
    executable = meltano_executable()
    if not executable.exists():
        pytest.fail(f"Meltano is not installed at {executable}: run scripts/test, which installs it")
    project = Project(copy_project(tmp_path_factory.mktemp("meltano-project")), executable)
    # Secrets live in .env, as the README tells users; Meltano reads it.
    (project.root / ".env").write_text(
        f"TAP_AMAZON_SP_LWA_CLIENT_SECRET={simulator.credentials.client_secret}\n"
        f"TAP_AMAZON_SP_REFRESH_TOKEN='{simulator.credentials.refresh_token}'\n",
        encoding="utf-8",
    )
    project.meltano("install")
    for stream in STREAMS:
        # The README's way of choosing streams.
        project.meltano("select", "tap-amazon-sp", stream, "*")
    project.selected = project.meltano("select", "tap-amazon-sp", "--list")
    return project


def flow_env(
    sim: Simulator, database_url: str, system_db: Path, end: str, *, airbyte: bool = False, **extra: str
) -> dict[str, str]:
    """What a user's environment would hold: the simulator, JP marketplace, this flow's database.

    With `airbyte`, the settings go by the Airbyte connector's names, as a migrated setup has them.
    """
    if airbyte:
        extra = {
            "TAP_AMAZON_SP_LWA_APP_ID": sim.credentials.client_id,
            "TAP_AMAZON_SP_REPLICATION_START_DATE": START,
            "TAP_AMAZON_SP_REPLICATION_END_DATE": end,
            **extra,
        }
    else:
        extra = {"TAP_AMAZON_SP_START_DATE": START, "TAP_AMAZON_SP_END_DATE": end, **extra}
    # `extra` may replace any of these (a vendor flow's region and marketplace).
    defaults = {
        "MELTANO_DATABASE_URI": f"sqlite:///{system_db}",
        "TAP_AMAZON_SP_SP_API_URL": sim.url,
        "TAP_AMAZON_SP_LWA_TOKEN_URL": f"{sim.url}/auth/o2/token",
        "TAP_AMAZON_SP_REGION": "JP",
        "TAP_AMAZON_SP_MARKETPLACE_IDS": json.dumps([JP]),
        # These flows check exactly which windows each run requests; tests/sim/test_lookback.py covers
        # the look-back's re-read before the bookmark.
        "TAP_AMAZON_SP_LOOKBACK_DAYS": "0",
        "TARGET_POSTGRES_SQLALCHEMY_URL": database_url,
    }
    return clean_env(**{**defaults, **extra})


def us_flow_env(
    sim: Simulator,
    database_url: str,
    system_db: Path,
    start: datetime | str,
    end: datetime | str,
    streams: Iterable[str],
    **extra: str,
) -> dict[str, str]:
    """`flow_env` for a US account (the NA host, the US marketplace) syncing `streams` from `start`
    to `end`."""
    start, end = (t if isinstance(t, str) else t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in (start, end))
    env = flow_env(sim, database_url, system_db, end, TAP_AMAZON_SP_START_DATE=start)
    env.update(
        TAP_AMAZON_SP_REGION="US",
        TAP_AMAZON_SP_MARKETPLACE_IDS=json.dumps([US]),
        TAP_AMAZON_SP__SELECT=json.dumps([f"{stream}.*" for stream in streams]),
        **extra,
    )
    return env


def state_of(project: Project, env: dict[str, str], *, prod: bool = False) -> dict[str, Any]:
    if prod:
        return json.loads(project.meltano("--environment=prod", "state", "get", PROD_STATE_ID, env=env))
    return json.loads(project.meltano("state", "get", STATE_ID, env=env))


def bookmarks(state: dict[str, Any]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for stream, entry in state.get("singer_state", {}).get("bookmarks", {}).items():
        for partition in entry.get("partitions", []):
            if partition.get("context", {}).get("marketplace_id") == JP:
                found[stream] = partition.get("replication_key_value")
    return found


@dataclass
class MainFlow:
    database: str
    counts_first: dict[str, int]
    state_first: dict[str, Any]
    requests_second: list[dict[str, Any]]
    state_second: dict[str, Any]
    state_list: str
    counts_second: dict[str, int]
    content_second: dict[str, list[tuple[Any, ...]]]
    requests_full_refresh: list[dict[str, Any]]
    counts_full_refresh: dict[str, int]
    violations: list[str]


@pytest.fixture(scope="module")
def main_flow(
    project: Project, simulator: Simulator, postgres: Postgres, tmp_path_factory: pytest.TempPathFactory
) -> MainFlow:
    """Two runs: up to MIDDLE, then incrementally up to END."""
    database = postgres.database("main")
    system_db = tmp_path_factory.mktemp("main-state") / "meltano.db"
    simulator.reset()
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=flow_env(simulator, database, system_db, MIDDLE))
    counts_first = {s: count(database, s) for s in STREAMS}
    env = flow_env(simulator, database, system_db, END)
    state_first = state_of(project, env)
    simulator.clear_requests()
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    requests_second = report_requests(simulator.requests)
    state_list = project.meltano("state", "list", env=env)
    state_second = state_of(project, env)
    counts_second = {s: count(database, s) for s in STREAMS}
    content_second = {s: content(database, s) for s in STREAMS}
    simulator.clear_requests()
    project.meltano("run", "--full-refresh", "tap-amazon-sp", "target-postgres", env=env)
    return MainFlow(
        database,
        counts_first,
        state_first,
        requests_second,
        state_second,
        state_list,
        counts_second,
        content_second,
        report_requests(simulator.requests),
        {s: count(database, s) for s in STREAMS},
        simulator.violations,
    )


def test_every_selected_stream_has_a_table_holding_the_simulators_rows(main_flow: MainFlow, simulator: Simulator):
    assert main_flow.violations == []
    assert tables(main_flow.database) == set(STREAMS)
    for stream in STREAMS:
        assert main_flow.counts_first[stream] == len(expected(simulator, stream, JP, START, MIDDLE)), stream
        want = expected(simulator, stream, JP, START, END)
        assert len(want) > main_flow.counts_first[stream] or stream == LISTINGS
        assert count(main_flow.database, stream) == len(want), stream
    # The rows themselves, by key: the orders the simulator sold are the orders in the table.
    keys = query(main_flow.database, f'SELECT amazon_order_id, sku FROM {SCHEMA}."{ORDERS}"')
    assert sorted(keys) == sorted((r["amazon_order_id"], r["sku"]) for r in expected(simulator, ORDERS, JP, START, END))


def test_columns_are_typed_not_all_text(main_flow: MainFlow, simulator: Simulator):
    orders = column_types(main_flow.database, ORDERS)
    assert orders["quantity"] in ("bigint", "integer")
    assert orders["item_price"] == "numeric"
    assert orders["is_business_order"] == "boolean"
    assert orders["purchase_date"].startswith("timestamp")
    assert orders["data_end_time"].startswith("timestamp")
    listings = column_types(main_flow.database, LISTINGS)
    assert listings["open_date"].startswith("timestamp")
    assert listings["pending_quantity"] in ("bigint", "integer")
    # Values, not only types: UTC instants and exact decimals.
    rows = query(
        main_flow.database, f'SELECT amazon_order_id, sku, purchase_date, item_price, quantity FROM {SCHEMA}."{ORDERS}"'
    )
    loaded = {(r[0], r[1]): r[2:] for r in rows}
    records = expected(simulator, ORDERS, JP, START, END)
    assert any(r["item_price"] is not None for r in records)
    for record in records:
        purchase, price, quantity = loaded[(record["amazon_order_id"], record["sku"])]
        assert purchase == datetime.fromisoformat(record["purchase_date"]).replace(tzinfo=None)
        if record["item_price"] is None:
            assert price is None
        else:
            assert isinstance(price, Decimal) and float(price) == record["item_price"]
        assert quantity == record["quantity"]


def test_japanese_text_round_trips_byte_exact(main_flow: MainFlow, simulator: Simulator):
    want = {r["seller_sku"]: r for r in expected(simulator, LISTINGS, JP, START, END)}
    rows = query(
        main_flow.database,
        f"SELECT seller_sku, convert_to(item_name, 'UTF8'), convert_to(item_note, 'UTF8'), "
        f"convert_to(merchant_shipping_group, 'UTF8') FROM {SCHEMA}.\"{LISTINGS}\"",
    )
    assert len(rows) == len(want)
    for sku, name, note, group in rows:
        record = want[sku]
        for column, stored in (("item_name", name), ("item_note", note), ("merchant_shipping_group", group)):
            assert (bytes(stored) if stored is not None else None) == (
                record[column].encode("utf-8") if record[column] is not None else None
            ), (sku, column)
    # Characters only cp932 has (the simulator's documents are Windows-31J) made it through.
    names = "".join(r["item_name"] or "" for r in want.values())
    assert all(c in names for c in ("①", "髙", "～", "ﾃｽﾄ"))


def test_second_run_is_incremental_and_adds_no_duplicates(main_flow: MainFlow):
    windows = [body for body in main_flow.requests_second if body["reportType"] in WINDOWED]
    assert {body["reportType"] for body in windows} == set(WINDOWED)
    assert min(parse_datetime(body["dataStartTime"]) for body in windows) == parse_datetime(MIDDLE)
    for stream in STREAMS:
        key = ", ".join(f'"{k}"' for k in BY_STREAM[stream].primary_key)
        distinct = query(main_flow.database, f'SELECT count(DISTINCT ({key})) FROM {SCHEMA}."{stream}"')[0][0]
        assert distinct == count(main_flow.database, stream), stream


def test_full_refresh_reloads_from_the_start_date_without_duplicates(main_flow: MainFlow):
    starts = [
        parse_datetime(b["dataStartTime"]) for b in main_flow.requests_full_refresh if b["reportType"] in WINDOWED
    ]
    assert min(starts) == parse_datetime(START)
    assert main_flow.counts_full_refresh == main_flow.counts_second


def test_selection_lists_the_selected_streams(project: Project):
    for stream in STREAMS:
        assert f"{stream}." in project.selected
    assert "GET_LEDGER_DETAIL_VIEW_DATA." not in project.selected


def test_meltano_state_shows_the_bookmarks(main_flow: MainFlow):
    assert STATE_ID in main_flow.state_list
    assert {s: bookmarks(main_flow.state_first).get(s) for s in WINDOWED} == dict.fromkeys(
        WINDOWED, bookmark_value(MIDDLE)
    )
    assert {s: bookmarks(main_flow.state_second).get(s) for s in WINDOWED} == dict.fromkeys(
        WINDOWED, bookmark_value(END)
    )


def test_rows_gone_from_a_snapshot_are_soft_deleted_and_the_rest_stay(
    project: Project, simulator: Simulator, postgres: Postgres, tmp_path_factory: pytest.TempPathFactory
):
    # A report snapshot (the listings) and an API one (FBA inventory, read page by page).
    database = postgres.database("snapshot")
    system_db = tmp_path_factory.mktemp("snapshot-state") / "meltano.db"
    selected = json.dumps([f"{stream}.*" for stream in (*STREAMS, INVENTORY)])
    env = flow_env(simulator, database, system_db, MIDDLE, TAP_AMAZON_SP__SELECT=selected)
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    listings, inventory = f'{SCHEMA}."{LISTINGS}"', f'{SCHEMA}."{INVENTORY}"'
    loaded = count(database, LISTINGS)
    stocked = count(database, INVENTORY)
    assert loaded > 1 and stocked == len(simulator.inventory.expected(JP)) > 50
    for table in (listings, inventory):
        assert query(database, f"SELECT count(*) FROM {table} WHERE _sdc_deleted_at IS NOT NULL") == [(0,)]
    # A listing an earlier load had and Amazon no longer lists: a row whose key no snapshot holds.
    with _psycopg().connect(_libpq(database)) as conn:
        conn.execute(
            f"UPDATE {listings} SET seller_sku = 'GONE-FROM-AMAZON' "
            f"WHERE seller_sku = (SELECT min(seller_sku) FROM {listings})"
        )
    # A SKU Amazon's FBA inventory no longer holds (its summary left the answer), mid-way in its pages.
    summaries = simulator.inventory.summaries(JP)
    gone = summaries.pop(len(summaries) // 2)
    try:
        project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    finally:
        summaries.insert(len(summaries) // 2, gone)
    rows = query(database, f"SELECT seller_sku, _sdc_deleted_at IS NOT NULL FROM {listings}")
    assert sorted(sku for sku, deleted in rows if deleted) == ["GONE-FROM-AMAZON"]
    # Every listing of the snapshot is live again, under this run's table version.
    assert len([sku for sku, deleted in rows if not deleted]) == loaded
    rows = query(database, f"SELECT seller_sku, _sdc_deleted_at IS NOT NULL, total_quantity FROM {inventory}")
    # Soft-deleted, not removed: the row keeps what Amazon last said of it.
    assert [(sku, quantity) for sku, deleted, quantity in rows if deleted] == [
        (gone["sellerSku"], gone["totalQuantity"])
    ]
    assert len([sku for sku, deleted, _ in rows if not deleted]) == stocked - 1
    for table in (listings, inventory):
        versions = query(database, f"SELECT DISTINCT _sdc_table_version FROM {table} WHERE _sdc_deleted_at IS NULL")
        assert len(versions) == 1, table
    # Windowed streams are loaded window by window, never as a snapshot: nothing of theirs is deleted.
    for stream in WINDOWED:
        deleted = query(database, f'SELECT count(*) FROM {SCHEMA}."{stream}" WHERE _sdc_deleted_at IS NOT NULL')
        assert deleted == [(0,)], stream


def test_with_batch_config_the_windowed_streams_load_from_batch_files_and_the_snapshot_still_soft_deletes(
    main_flow: MainFlow,
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    # The README's batch configuration, through Meltano's dotted settings, with the shipped target
    # settings (use_copy): the same two runs as the main flow, and a listing gone in between.
    database = postgres.database("batched")
    system_db = tmp_path_factory.mktemp("batched-state") / "meltano.db"
    root = tmp_path_factory.mktemp("batches")
    batch = {
        "TAP_AMAZON_SP_BATCH_CONFIG_ENCODING_FORMAT": "jsonl",
        "TAP_AMAZON_SP_BATCH_CONFIG_ENCODING_COMPRESSION": "gzip",
        "TAP_AMAZON_SP_BATCH_CONFIG_STORAGE_ROOT": root.as_uri(),
    }
    simulator.reset()
    first = {**flow_env(simulator, database, system_db, MIDDLE), **batch}
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=first)
    assert {s: count(database, s) for s in STREAMS} == main_flow.counts_first
    # Typed columns, as the RECORD path loads them (numeric, integer, timestamp, boolean, not text).
    for stream in STREAMS:
        assert column_types(database, stream) == column_types(main_flow.database, stream), stream
    # The windowed streams came in files (target-postgres loads those without _sdc_* values); the
    # snapshot stream as RECORD messages, versioned.
    files = sorted(path.name for path in root.iterdir())
    for stream in WINDOWED:
        assert any(name.startswith(f"tap-amazon-sp--{stream}-") for name in files), files
        unstamped = query(database, f'SELECT count(*) FROM {SCHEMA}."{stream}" WHERE _sdc_extracted_at IS NULL')
        assert unstamped == [(count(database, stream),)], stream
    assert not any(LISTINGS in name for name in files)
    listings = f'{SCHEMA}."{LISTINGS}"'
    loaded = count(database, LISTINGS)
    stamped = f"SELECT count(*) FROM {listings} WHERE _sdc_extracted_at IS NOT NULL AND _sdc_table_version IS NOT NULL"
    assert query(database, stamped) == [(loaded,)]

    with _psycopg().connect(_libpq(database)) as conn:
        conn.execute(
            f"UPDATE {listings} SET seller_sku = 'GONE-FROM-AMAZON' "
            f"WHERE seller_sku = (SELECT min(seller_sku) FROM {listings})"
        )
    env = {**flow_env(simulator, database, system_db, END), **batch}
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert bookmarks(state_of(project, env)) == bookmarks(main_flow.state_second)
    for stream in WINDOWED:
        # Incrementally to END: the rows of the RECORD runs, no duplicate, nothing soft-deleted.
        assert content(database, stream) == main_flow.content_second[stream], stream
        deleted = query(database, f'SELECT count(*) FROM {SCHEMA}."{stream}" WHERE _sdc_deleted_at IS NOT NULL')
        assert deleted == [(0,)], stream
    rows = query(database, f"SELECT seller_sku, _sdc_deleted_at IS NOT NULL FROM {listings}")
    assert sorted(sku for sku, deleted in rows if deleted) == ["GONE-FROM-AMAZON"]
    assert len([sku for sku, deleted in rows if not deleted]) == loaded
    assert simulator.violations == []


def test_a_run_killed_mid_sync_then_rerun_ends_with_the_same_tables(
    main_flow: MainFlow,
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    # The `prod` environment, configured only by environment variables (and .env) as for a real
    # seller account, with the simulator's address in place of Amazon's, and the settings under
    # the Airbyte connector's names (lwa_app_id, replication_start_date, replication_end_date).
    database = postgres.database("killed")
    system_db = tmp_path_factory.mktemp("killed-state") / "meltano.db"
    prod_run = ("--environment=prod", "run", "tap-amazon-sp", "target-postgres")
    simulator.reset()
    # A committed state to resume from: a complete run up to MIDDLE.
    project.meltano(*prod_run, env=flow_env(simulator, database, system_db, MIDDLE, airbyte=True))
    env = flow_env(simulator, database, system_db, END, airbyte=True)
    committed = bookmarks(state_of(project, env, prod=True))
    before = {s: count(database, s) for s in WINDOWED}

    # The next run, slowed down, with rows written in small batches so that some reach the database
    # before the kill. SDK targets send STATE only after flushing every stream, so the bookmark of
    # this run must not have moved when it dies.
    simulator.set_faults(processing_delay=0.3)
    log = system_db.with_name("killed-run.log")
    with log.open("wb") as output:
        proc = subprocess.Popen(
            project.command(*prod_run),
            cwd=project.root,
            env={**env, "TARGET_POSTGRES_BATCH_SIZE_ROWS": "5"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    loaded_beyond = False
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if tables(database) >= set(WINDOWED) and sum(count(database, s) for s in WINDOWED) > sum(before.values()):
                loaded_beyond = True
                break
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)  # meltano, the tap and the target at once
    finally:
        proc.wait(timeout=30)
        simulator.set_faults(processing_delay=0.05)
    assert loaded_beyond, (
        f"the run ended (rc {proc.returncode}) before it could be killed mid-sync:\n"
        + log.read_text(errors="replace")[-3000:]
    )
    assert bookmarks(state_of(project, env, prod=True)) == committed
    assert all(committed[s] == bookmark_value(MIDDLE) for s in WINDOWED)

    # Meltano still holds the killed run as running (for 5 minutes without heartbeat) and refuses
    # a new one; the README's troubleshooting tells users to rerun with --force.
    refused = project.attempt(*prod_run, env=env)
    assert refused.returncode != 0 and "is already running" in refused.stderr
    simulator.clear_requests()
    project.meltano("--environment=prod", "run", "--force", "tap-amazon-sp", "target-postgres", env=env)
    bodies = report_requests(simulator.requests)
    starts = [parse_datetime(b["dataStartTime"]) for b in bodies if b["reportType"] in WINDOWED]
    # Nothing before the bookmark is requested again. The window right after it may not be requested
    # at all: the killed run's report for it is still DONE at Amazon, and the tap reuses it.
    assert starts and min(starts) >= parse_datetime(MIDDLE)
    assert simulator.violations == []
    for stream in STREAMS:
        # The same windows as the uninterrupted two runs, so the same rows, window columns included.
        assert content(database, stream) == main_flow.content_second[stream], stream


def test_v2_settlements_load_with_numeric_amounts_read_in_the_german_number_format(
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    # Settlements are listed for the last 90 days only: this flow starts 120 days before now, in
    # Germany, where Amazon writes amounts as 1.234,56.
    database = postgres.database("settlement")
    system_db = tmp_path_factory.mktemp("settlement-state") / "meltano.db"
    now = datetime.now(timezone.utc)
    start, end = ((now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ") for days in (120, 0))
    env = flow_env(simulator, database, system_db, end)
    env.update(
        {
            "TAP_AMAZON_SP_START_DATE": start,
            "TAP_AMAZON_SP_REGION": "DE",
            "TAP_AMAZON_SP_MARKETPLACE_IDS": json.dumps([DE]),
            # Meltano's own way of selecting through the environment.
            "TAP_AMAZON_SP__SELECT": json.dumps([f"{SETTLEMENT_V2}.*"]),
        }
    )
    simulator.reset()
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert simulator.violations == []
    assert tables(database) == {SETTLEMENT_V2}
    types = column_types(database, SETTLEMENT_V2)
    assert types["amount"] == types["total_amount"] == "numeric"
    assert types["is_summary"] == "boolean"
    assert types["posted_date_time"].startswith("timestamp")
    want: dict[str, tuple[Any, ...]] = {}
    for report in listed_settlements(simulator, SETTLEMENT_V2, DE, start, end):
        for line, record in enumerate(simulator.expected_settlement_records(report["reportId"]), start=2):
            want[f"{record['settlement_id']}:{line}"] = (record["amount"], record["total_amount"], record["is_summary"])
    rows = query(database, f'SELECT row_key, amount, total_amount, is_summary FROM {SCHEMA}."{SETTLEMENT_V2}"')
    assert {row[0]: row[1:] for row in rows} == want
    # Values past a thousand, as the document wrote them with a thousands point and a decimal comma.
    assert any(
        isinstance(amount, Decimal) and abs(amount) >= 1000 and amount != amount.to_integral()
        for amount, _total, _summary in want.values()
    )


def test_demo_command_loads_and_prints_tables(project: Project):
    # The README's main command, as a user runs it (it reuses this virtualenv and Meltano install).
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / "demo")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env=clean_env(VENV=sys.prefix, MELTANO_BIN=str(project.executable)),
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Tables in schema amazon_sp" in proc.stdout
    for stream in (ORDERS, LISTINGS, REIMBURSEMENTS):
        line = next(line for line in proc.stdout.splitlines() if line.strip().startswith(stream + " "))
        first, second = (int(n) for n in line.split()[1:3])
        assert 0 < first <= second, line
    assert "the simulator and the PostgreSQL cluster are stopped" in proc.stdout


# ---- Subscribe & Save: the Replenishment API streams, selected as the README says -------------------

REPLENISHMENT = (
    "replenishment_selling_partner_metrics",
    "replenishment_offer_metrics",
    "replenishment_selling_partner_forecast",
    "replenishment_offer_forecast",
    "replenishment_offers",
)


def _newest_week_end() -> datetime:
    """The Monday on or before 72 hours ago: where the newest week the tap reads ends."""
    held = datetime.now(timezone.utc) - timedelta(hours=72)
    day = held.date() - timedelta(days=held.weekday())
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def test_replenishment_streams_load_typed_and_incrementally(
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    # Amazon serves two years of weeks: this flow reads the last three, not the main flow's 2024.
    end = _newest_week_end()
    start = end - timedelta(weeks=3)
    database = postgres.database("replenishment")
    system_db = tmp_path_factory.mktemp("replenishment-state") / "meltano.db"
    simulator.reset()
    # Not selected by default: a `select` for them (here the TAP_AMAZON_SP__SELECT extra) syncs them.
    env = flow_env(
        simulator,
        database,
        system_db,
        datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        TAP_AMAZON_SP_START_DATE=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        TAP_AMAZON_SP__SELECT=json.dumps([f"{stream}.*" for stream in REPLENISHMENT]),
    )
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    today = datetime.now(timezone.utc).date()
    replenishment = simulator.replenishment
    want = {
        REPLENISHMENT[0]: replenishment.expected_partner_metrics(JP, start, end),
        REPLENISHMENT[1]: replenishment.expected_offer_metrics(JP, start, end),
        REPLENISHMENT[2]: replenishment.expected_partner_forecast(JP, today),
        REPLENISHMENT[3]: replenishment.expected_offer_forecast(JP, today),
        REPLENISHMENT[4]: replenishment.expected_offers(JP),
    }
    assert simulator.violations == []
    assert set(REPLENISHMENT) <= tables(database)
    counts = {stream: count(database, stream) for stream in REPLENISHMENT}
    assert counts == {stream: len(rows) for stream, rows in want.items()}
    assert counts[REPLENISHMENT[1]] == 3 * replenishment.offer_count(JP)
    # Every column typed as its schema says: metrics numeric, periods timestamps, the day read a date.
    kinds = {
        "number": ("numeric",),
        "integer": ("bigint", "integer"),
        "string": ("text", "character varying"),
        "object": ("jsonb",),
        "array": ("jsonb", "ARRAY"),
    }
    classes: dict[str, Any] = rest_stream_classes()
    for stream_class in (classes[name] for name in REPLENISHMENT):
        types = column_types(database, stream_class.name)
        for name, prop in stream_class.schema["properties"].items():
            kind = next(k for k in prop["type"] if k != "null") if isinstance(prop["type"], list) else prop["type"]
            if prop.get("format") == "date-time":
                assert types[name].startswith("timestamp"), (stream_class.name, name, types[name])
            elif prop.get("format") == "date":
                assert types[name] == "date", (stream_class.name, name, types[name])
            else:
                assert types[name] in kinds[kind], (stream_class.name, name, types[name])
    # Values, not only types: the weeks' first days as UTC midnights, revenue exact.
    rows = query(database, f'SELECT period_start, total_subscriptions_revenue FROM {SCHEMA}."{REPLENISHMENT[0]}"')
    assert sorted(rows) == sorted(
        (datetime.fromisoformat(r["period_start"]).replace(tzinfo=None), r["total_subscriptions_revenue"])
        for r in want[REPLENISHMENT[0]]
    )
    # Again: no new week, and the day's forecasts replaced, not added.
    simulator.clear_requests()
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert {stream: count(database, stream) for stream in REPLENISHMENT} == counts
    weekly = [
        json.loads(r.body)
        for r in simulator.requests
        if r.operation in ("getSellingPartnerMetrics", "listOfferMetrics")
    ]
    assert weekly and all(b.get("filters", b)["timePeriodType"] == "FORECAST" for b in weekly)
    assert [r for r in simulator.requests if r.operation == "listOffers"]


# ---- a seller's catalog items ----------------------------------------------------------------------

CATALOG = "catalog_items"


def test_a_sellers_catalog_items_load_typed_and_are_not_read_again_within_the_refresh_days(
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    database = postgres.database("catalog")
    system_db = tmp_path_factory.mktemp("catalog-state") / "meltano.db"
    simulator.reset()
    # Not selected by default (it needs the Product Listing role): selected here.
    env = flow_env(simulator, database, system_db, MIDDLE, TAP_AMAZON_SP__SELECT=json.dumps([f"{CATALOG}.*"]))
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert simulator.violations == []
    asins = list(dict.fromkeys(row["asin"] for row in simulator.inventory.summaries(JP)))
    want = {item["asin"]: item for item in simulator.catalog.expected(JP, asins, "")}
    assert count(database, CATALOG) == len(want) > 50
    types = column_types(database, CATALOG)
    # target-postgres makes an array column of JSON values (jsonb[]), an object a jsonb one.
    assert types["attributes"] == "jsonb" and types["classification_ranks"] == "ARRAY", types
    assert types["release_date"] == "date" and types["refreshed_at"].startswith("timestamp"), types
    assert types["package_quantity"] in ("bigint", "integer") and types["trade_in_eligible"] == "boolean", types
    # Amazon's attributes are JSON in the table, Japanese text and numbers as sent.
    rows = query(
        database,
        f"SELECT asin, item_name, attributes -> 'list_price' -> 0 ->> 'value', "
        f"(display_group_ranks[1] ->> 'rank')::bigint FROM {SCHEMA}.\"{CATALOG}\"",
    )
    assert sorted(rows) == sorted(
        (
            asin,
            item["item_name"],
            str(item["attributes"]["list_price"][0]["value"]),
            item["display_group_ranks"][0]["rank"],
        )
        for asin, item in want.items()
    )
    # Again within catalog_refresh_days: the inventory is read, no ASIN, and the rows stay as they are.
    simulator.clear_requests()
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert [r for r in simulator.requests if r.operation == "searchCatalogItems"] == []
    assert [r for r in simulator.requests if r.operation == "getInventorySummaries"]
    assert count(database, CATALOG) == len(want)


# ---- a vendor: purchase orders and their items ------------------------------------------------------

VENDOR_ORDERS = ("vendor_purchase_orders", "vendor_purchase_order_items")


def test_a_vendors_purchase_orders_load_typed_and_again_without_duplicates(
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    # Amazon serves the last six months of purchase orders: this flow reads the last 20 days.
    end = simulator.anchor
    start = end - timedelta(days=20)
    database = postgres.database("vendor")
    system_db = tmp_path_factory.mktemp("vendor-state") / "meltano.db"
    simulator.reset()
    simulator.set_faults(account_type="Vendor")
    env = us_flow_env(simulator, database, system_db, start, end, VENDOR_ORDERS, TAP_AMAZON_SP_ACCOUNT_TYPE="Vendor")
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    orders, items = simulator.vendor_orders.expected(start, end)
    assert simulator.violations == []
    assert orders and set(VENDOR_ORDERS) <= tables(database)
    counts = {stream: count(database, stream) for stream in VENDOR_ORDERS}
    assert counts == {VENDOR_ORDERS[0]: len(orders), VENDOR_ORDERS[1]: len(items)}
    types = column_types(database, VENDOR_ORDERS[0])
    assert types["purchase_order_changed_date"].startswith("timestamp")
    assert types["selling_party"] == "jsonb"
    assert column_types(database, VENDOR_ORDERS[1])["net_cost"] == "jsonb"
    rows = query(database, f'SELECT purchase_order_number, purchase_order_state FROM {SCHEMA}."{VENDOR_ORDERS[0]}"')
    assert sorted(rows) == sorted((o["purchase_order_number"], o["purchase_order_state"]) for o in orders)
    # Again, from the bookmark: the orders re-read are upserted, not added.
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert {stream: count(database, stream) for stream in VENDOR_ORDERS} == counts
    assert simulator.violations == []


# ---- Vendors: every forecast generation kept, real-time sales of the last hours ----------------

FORECAST = "GET_VENDOR_FORECASTING_REPORT"
REAL_TIME_SALES = "GET_VENDOR_REAL_TIME_SALES_REPORT"


def test_a_vendor_keeps_every_forecast_generation_and_loads_real_time_sales(
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    database = postgres.database("vendor_recent")
    system_db = tmp_path_factory.mktemp("vendor-recent-state") / "meltano.db"
    now = datetime.now(timezone.utc)
    # Real-time reports hold the last 168 hours: this flow reads the last 30.
    start, end = ((now - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ") for hours in (30, 0))
    streams = (FORECAST, REAL_TIME_SALES)
    env = us_flow_env(simulator, database, system_db, start, end, streams, TAP_AMAZON_SP_ACCOUNT_TYPE="Vendor")
    generations = ("2026-11-15", "2026-11-22")
    simulator.reset()
    try:
        for generated in generations:
            # Amazon's newer forecast between the two runs.
            simulator.set_faults(account_type="Vendor", forecast_generated=generated)
            project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
        violations = simulator.violations
        windows = [(b["dataStartTime"], b["dataEndTime"]) for b in report_requests(simulator.requests, REAL_TIME_SALES)]
    finally:
        simulator.reset()
    assert violations == []
    assert tables(database) == {FORECAST, REAL_TIME_SALES}
    # Both forecasts, each whole: the second run added its rows next to the first run's.
    want = {
        (generated, r["asin"], r["start_date"], r["mean_forecast_units"], r["p90forecast_units"])
        for generated in generations
        for r in simulator.dataset.expected_records(
            FORECAST, US, now, now, {"sellingProgram": "RETAIL"}, datetime.fromisoformat(generated).date()
        )
    }
    rows = query(
        database,
        "SELECT forecast_generation_date, asin, start_date, mean_forecast_units, p90forecast_units, selling_program "
        f'FROM {SCHEMA}."{FORECAST}"',
    )
    assert {(str(r[0]), r[1], str(r[2]), float(r[3]), float(r[4])) for r in rows} == {
        (g, a, s, float(m), float(p)) for g, a, s, m, p in want
    }
    assert len(rows) == len(want) and {r[5] for r in rows} == {"RETAIL"}
    # And every row is live: a newer forecast adds a generation, it does not replace the older one.
    deleted = query(database, f'SELECT count(*) FROM {SCHEMA}."{FORECAST}" WHERE _sdc_deleted_at IS NOT NULL')
    assert deleted == [(0,)]
    types = column_types(database, FORECAST)
    assert types["forecast_generation_date"] == "date" and types["mean_forecast_units"] == "numeric"
    # Real-time sales: whole hours, the simulator's rows, units as integers (below zero at times).
    assert windows and all(lower.endswith(":00:00Z") and upper.endswith(":00:00Z") for lower, upper in windows)
    sales = {
        (r["start_time"], r["asin"], r["ordered_units"], float(r["ordered_revenue"]))
        for lower, upper in windows
        for r in simulator.dataset.expected_records(REAL_TIME_SALES, US, parse_datetime(lower), parse_datetime(upper))
    }
    loaded = query(
        database, f'SELECT start_time, asin, ordered_units, ordered_revenue FROM {SCHEMA}."{REAL_TIME_SALES}"'
    )
    assert {(r[0].strftime("%Y-%m-%dT%H:%M:%SZ"), r[1], r[2], float(r[3])) for r in loaded} == sales and len(
        loaded
    ) == len(sales)
    types = column_types(database, REAL_TIME_SALES)
    assert types["ordered_units"] in ("bigint", "integer") and types["start_time"].startswith("timestamp")


# ---- Brand Analytics: search query performance for the brand's own ASINs ----------------------

SQP = "GET_BRAND_ANALYTICS_SEARCH_QUERY_PERFORMANCE_REPORT"
SCP = "GET_BRAND_ANALYTICS_SEARCH_CATALOG_PERFORMANCE_REPORT"


def test_a_brand_owner_loads_search_query_performance_of_the_asins_the_tap_finds_and_again_from_the_bookmark(
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    # Two whole weeks, then a third from the bookmark; no `asin` option: the tap finds the brand's ASINs.
    start, middle, end = "2024-01-07T00:00:00Z", "2024-01-21T00:00:00Z", "2024-01-28T00:00:00Z"
    database = postgres.database("brand")
    system_db = tmp_path_factory.mktemp("brand-state") / "meltano.db"
    # Not selected by default (Brand Analytics): a `select` for it syncs it.
    env = us_flow_env(simulator, database, system_db, start, middle, [SQP])
    simulator.reset()
    try:
        project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
        first = report_requests(simulator.requests)
        simulator.clear_requests()
        project.meltano("run", "tap-amazon-sp", "target-postgres", env={**env, "TAP_AMAZON_SP_END_DATE": end})
        second = report_requests(simulator.requests)
        violations = simulator.violations
    finally:
        simulator.reset()
    assert violations == []
    want, parts = sqp_expected(simulator, start, end)
    weeks = sorted(parts)
    # Each week: one catalog report (its ASINs), then its parts of at most 200 characters; the second
    # run asks for the third week only.
    assert [(b["reportType"], b["dataStartTime"]) for b in first + second] == [
        item
        for index in ((0, 1), (2,))
        for item in [(SCP, weeks[i]) for i in index] + [(SQP, weeks[i]) for i in index for _part in parts[weeks[i]]]
    ]
    assert all(len(b["reportOptions"].get("asin", "")) <= 200 for b in first + second)
    assert tables(database) == {SQP}  # the catalog reports are read for their ASINs, not loaded
    rows = query(
        database,
        "SELECT start_date, asin, search_query, search_query_volume, asin_click_share, "
        f'total_median_purchase_price_amount FROM {SCHEMA}."{SQP}"',
    )
    assert len(rows) == len(want)
    assert {(str(r[0]), r[1], r[2], r[3], float(r[4]), float(r[5])) for r in rows} == {
        (
            r["start_date"],
            r["asin"],
            r["search_query"],
            r["search_query_volume"],
            float(r["asin_click_share"]),
            float(r["total_median_purchase_price_amount"]),
        )
        for r in want
    }
    types = column_types(database, SQP)
    assert types["start_date"] == "date" and types["search_query_volume"] in ("bigint", "integer")
    assert types["asin_click_share"] == "numeric" and types["total_median_purchase_price_currency_code"] != "jsonb"


# ---- every setting that is not text, through the environment, as the README tells users ------

# What a user's .env could hold for each Meltano setting whose --about type is not only a string
# (Meltano reads every one of them from text): windows of 20 days, so that period_in_days shows.
ENVIRONMENT_TEXT = {
    "marketplace_ids": json.dumps([JP]),
    "period_in_days": "20",
    "report_options": json.dumps([{"stream_name": REIMBURSEMENTS, "options": {}}]),
    "wait_between_requests": "false",
    "lookback_days": "0",
    "catalog_refresh_days": "3",
    "include_pii": "false",
    "newest_first": "true",
    "max_reports_in_flight": "4",
    "report_reuse_max_age_hours": "0.5",
    "max_report_wait_seconds": "600",
    "fatal_report_retries": "1",
    "fatal_retry_cooldown_seconds": "0.05",
    "request_timeout_seconds": "30.5",
    "retry_base_seconds": "0.05",
    "progress_interval_seconds": "30.5",
    "fba_near_real_time_cooldown_seconds": "900.5",
    "fba_daily_cooldown_seconds": "3600",
    "max_cooldown_wait_seconds": "60",
    "wait_to_avoid_fatal_errors": "false",
    "report_options_list": "[]",
    "stream_maps": "{}",
    "stream_map_config": "{}",
    "faker_config.seed": "7",
    "faker_config.locale": json.dumps(["ja_JP"]),
    "flattening_enabled": "false",
    "flattening_max_depth": "1",
    "flattening_max_key_length": "255",
}


def test_every_setting_that_is_not_text_can_be_given_through_the_environment(
    project: Project, simulator: Simulator, postgres: Postgres, tmp_path_factory: pytest.TempPathFactory
):
    definitions = runpy.run_path(str(REPO / "scripts" / "sync_definitions.py"))
    about = json.loads(definitions["about"]("json"))["settings"]["properties"]
    not_text = {
        name for name, prop in definitions["setting_properties"](about) if definitions["_types"](prop) - {"string"}
    }
    assert set(ENVIRONMENT_TEXT) == not_text
    database = postgres.database("environment")
    system_db = tmp_path_factory.mktemp("environment-state") / "meltano.db"
    env = {
        **flow_env(simulator, database, system_db, MIDDLE),
        **{f"TAP_AMAZON_SP_{name.upper().replace('.', '_')}": value for name, value in ENVIRONMENT_TEXT.items()},
    }
    simulator.reset()
    # The reproduction: Meltano's `decimal` kind made a Decimal that it could not serialise.
    discovered = project.attempt("--environment=dev", "invoke", "tap-amazon-sp", "--discover", env=env)
    assert discovered.returncode == 0, discovered.stderr[-3000:]
    assert json.loads(discovered.stdout)["streams"]
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert simulator.violations == []
    bodies = report_requests(simulator.requests)
    spans = {
        parse_datetime(b["dataEndTime"]) - parse_datetime(b["dataStartTime"])
        for b in bodies
        if b["reportType"] in WINDOWED
    }
    assert max(spans).days == 20
    for stream in STREAMS:
        want = expected(simulator, stream, JP, START, MIDDLE, period=20)
        assert count(database, stream) == len(want), stream


def test_the_readmes_config_list_shows_the_dev_values_and_hides_secrets(project: Project, simulator: Simulator):
    command = "meltano --environment=dev config list tap-amazon-sp"
    assert command in (REPO / "README.md").read_text(encoding="utf-8")
    listed = project.meltano(*command.split()[1:])
    assert re.search(
        r"^sp_api_url .*current value: 'http://127\.0\.0\.1:8765' \(from the active environment", listed, re.MULTILINE
    ), listed
    assert re.search(r"^lwa_client_secret .*current value: \(redacted\)", listed, re.MULTILINE), listed
    assert simulator.credentials.client_secret not in listed and simulator.credentials.refresh_token not in listed
    # target-postgres's settings come from the committed lock file: no Hub was asked.
    target = project.meltano("--environment=dev", "config", "list", "target-postgres")
    assert re.search(r"^default_target_schema .*current value: 'amazon_sp'", target, re.MULTILINE), target


def test_the_target_postgres_lock_file_is_the_definition_of_the_target_meltano_installs(project: Project):
    definitions = runpy.run_path(str(REPO / "scripts" / "sync_definitions.py"))
    executable = project.root / ".meltano" / "loaders" / "target-postgres" / "venv" / "bin" / "target-postgres"
    about = json.loads(
        subprocess.run(
            [str(executable), "--about", "--format", "json"], capture_output=True, text=True, check=True
        ).stdout
    )
    committed = (REPO / "plugins" / "loaders" / "target-postgres--meltanolabs.lock").read_text(encoding="utf-8")
    assert committed == definitions["lock_text"](definitions["target_lock"](about)), (
        "target-postgres changed: scripts/sync_definitions.py --lock-target " + str(executable)
    )


# ---- installing from a Meltano Hub, as the README's quick start says ---------------------------

HUB_VARIANT = "amazon-sp-oss"


def hub_plugins() -> list[Plugin]:
    """Our Hub definition, installing this checkout, and target-postgres's from its lock file."""
    import yaml

    extractor = yaml.safe_load((REPO / "hub" / "extractors" / "tap-amazon-sp.yml").read_text(encoding="utf-8"))
    extractor["pip_url"] = str(REPO)
    loader = json.loads((REPO / "plugins" / "loaders" / "target-postgres--meltanolabs.lock").read_text("utf-8"))
    project = yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))
    loader["pip_url"] = next(p for p in project["plugins"]["loaders"] if p["name"] == "target-postgres")["pip_url"]
    return [Plugin("extractors", extractor, extractor.get("logo_url")), Plugin("loaders", loader)]


def test_a_new_project_adds_the_tap_from_a_meltano_hub_and_loads_postgres(
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Installing from a Meltano Hub", 1)[1].split("\n#", 1)[0]
    commands = [
        line.strip()
        for line in section.split("```bash", 1)[1].split("```", 1)[0].splitlines()
        if line.strip().startswith("meltano ")
    ]
    assert commands == [
        "meltano init my-project --no-usage-stats",
        "meltano add --plugin-type extractor tap-amazon-sp",
        "meltano add --plugin-type loader target-postgres --variant meltanolabs",
        f"meltano select tap-amazon-sp {ORDERS} '*'",
        "meltano run tap-amazon-sp target-postgres",
    ]
    database = postgres.database("hub")
    where = tmp_path_factory.mktemp("hub")
    credentials = simulator.credentials
    simulator.reset()
    with LoopbackHub(hub_plugins()) as hub:
        env = {
            **flow_env(simulator, database, where / "meltano.db", MIDDLE),
            "MELTANO_HUB_URL": hub.url,
            "TAP_AMAZON_SP_LWA_CLIENT_ID": credentials.client_id,
            "TAP_AMAZON_SP_LWA_CLIENT_SECRET": credentials.client_secret,
            "TAP_AMAZON_SP_REFRESH_TOKEN": credentials.refresh_token,
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": SCHEMA,
        }
        fresh = Project(where, project.executable)
        fresh.meltano("init", "my-project", "--no-usage-stats", env=env)
        fresh.root = where / "my-project"
        for command in commands[1:]:
            fresh.meltano(*[arg.strip("'") for arg in command.split()[1:]], env=env)
    # Exactly the two documents per plugin the Hub's README names, nothing else.
    assert hub.requests == [
        "/meltano/api/v1/plugins/extractors/index",
        f"/meltano/api/v1/plugins/extractors/tap-amazon-sp--{HUB_VARIANT}",
        "/meltano/api/v1/plugins/loaders/index",
        "/meltano/api/v1/plugins/loaders/target-postgres--meltanolabs",
    ]
    # `meltano add` locked the definition it got, as it does from the real Hub.
    assert (fresh.root / "plugins" / "extractors" / f"tap-amazon-sp--{HUB_VARIANT}.lock").exists()
    assert simulator.violations == []
    assert count(database, ORDERS) == len(expected(simulator, ORDERS, JP, START, MIDDLE)) > 0
    assert tables(database) == {ORDERS}


def test_the_hub_definition_adds_from_a_reference_until_it_is_on_the_hub(
    project: Project, tmp_path_factory: pytest.TempPathFactory
):
    import yaml

    command = "meltano add --plugin-type extractor tap-amazon-sp --from-ref"
    assert command in (REPO / "README.md").read_text(encoding="utf-8")
    where = tmp_path_factory.mktemp("from-ref")
    (where / "meltano.yml").write_text("default_environment: dev\nenvironments:\n- name: dev\n", encoding="utf-8")
    reference = REPO / "hub" / "extractors" / "tap-amazon-sp.yml"
    Project(where, project.executable).meltano(*command.split()[1:], str(reference), "--no-install")
    added = yaml.safe_load((where / "meltano.yml").read_text(encoding="utf-8"))["plugins"]["extractors"][0]
    definition = yaml.safe_load(reference.read_text(encoding="utf-8"))
    assert (added["variant"], added["pip_url"]) == (HUB_VARIANT, definition["pip_url"])
    assert [s["name"] for s in added["settings"]] == [s["name"] for s in definition["settings"]]


# ---- a seller's FBA inbound shipments and their items ---------------------------------------------

INBOUND = ("fba_inbound_shipments", "fba_inbound_shipment_items")


def test_a_sellers_inbound_shipments_load_typed_and_again_without_duplicates(
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    # The simulator's shipments were updated in the months before its anchor: this flow reads 60 days.
    end = simulator.anchor
    start = end - timedelta(days=60)
    database = postgres.database("inbound")
    system_db = tmp_path_factory.mktemp("inbound-state") / "meltano.db"
    simulator.reset()
    env = us_flow_env(simulator, database, system_db, start, end, INBOUND)
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    shipments = simulator.inbound.expected(US, start, end)
    items = simulator.inbound.expected_items(US, start, end)
    assert simulator.violations == []
    assert shipments and set(INBOUND) <= tables(database)
    counts = {stream: count(database, stream) for stream in INBOUND}
    assert counts == {INBOUND[0]: len(shipments), INBOUND[1]: len(items)}
    types = column_types(database, INBOUND[0])
    assert types["last_updated_before"].startswith("timestamp")
    assert types["confirmed_need_by_date"] == "date"
    assert types["ship_from_address"] == "jsonb" and types["are_cases_required"] == "boolean"
    assert column_types(database, INBOUND[1])["quantity_shipped"] in ("bigint", "integer")
    rows = query(database, f'SELECT shipment_id, shipment_status FROM {SCHEMA}."{INBOUND[0]}"')
    assert sorted(rows) == sorted((s["shipment_id"], s["shipment_status"]) for s in shipments)
    received = query(database, f'SELECT shipment_id, seller_sku, quantity_received FROM {SCHEMA}."{INBOUND[1]}"')
    assert sorted(received) == sorted((i["shipment_id"], i["seller_sku"], i["quantity_received"]) for i in items)
    # Again, from the bookmark (the last window's end): nothing added twice.
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert {stream: count(database, stream) for stream in INBOUND} == counts
    assert simulator.violations == []


# ---- a seller's Data Kiosk economics ------------------------------------------------------------

ECONOMICS = "data_kiosk_economics"


def test_a_sellers_data_kiosk_economics_load_typed_per_day_and_msku_and_again_without_duplicates(
    project: Project,
    simulator: Simulator,
    postgres: Postgres,
    tmp_path_factory: pytest.TempPathFactory,
):
    # Economics of the last 20 days (Amazon serves two years), in the US.
    end = datetime.now(timezone.utc)
    start = end - timedelta(days=20)
    database = postgres.database("economics")
    system_db = tmp_path_factory.mktemp("economics-state") / "meltano.db"
    simulator.reset()
    env = us_flow_env(simulator, database, system_db, start, end, [ECONOMICS])
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert simulator.violations == []
    texts = list(dict.fromkeys(simulator.datakiosk.texts))
    want = [row for text in texts for row in simulator.datakiosk.expected(text)]
    assert texts and want and ECONOMICS in tables(database)
    assert count(database, ECONOMICS) == len(want)
    types = column_types(database, ECONOMICS)
    assert types["start_date"] == "date"
    assert {types[name] for name in ("sales", "cost", "net_proceeds")} == {"jsonb"}
    assert types["fees"] == types["ads"] == "ARRAY"
    rows = query(
        database,
        f"SELECT start_date::text, child_asin, msku, (net_proceeds->'total'->>'amount')::numeric "
        f'FROM {SCHEMA}."{ECONOMICS}"',
    )
    totals = [((r.get("net_proceeds") or {}).get("total") or {}).get("amount") for r in want]
    assert sorted(rows, key=str) == sorted(
        (
            (r["start_date"], r["child_asin"], r["msku"], None if t is None else Decimal(str(t)))
            for r, t in zip(want, totals, strict=True)
        ),
        key=str,
    )
    # Again, from the bookmark: nothing new has closed, and nothing is added twice.
    project.meltano("run", "tap-amazon-sp", "target-postgres", env=env)
    assert count(database, ECONOMICS) == len(want)
    assert simulator.violations == []
