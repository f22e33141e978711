"""End to end: one N-row All Orders report from the simulator into PostgreSQL, six ways.

    python -m bench e2e --rows 300000

1. the tap alone, its stdout to /dev/null: what extracting costs;
2. the tap alone with `batch_config` (BATCH messages, gzip JSON Lines files in a temporary
   directory): what extracting costs when the records go to files;
3. `meltano run tap-amazon-sp target-postgres` with target-postgres's own defaults (row INSERTs,
   every record validated again), as meltano.yml had it before;
4. the same with the shipped meltano.yml (`use_copy: true`, `validate_records: false`);
5. the shipped meltano.yml plus the tap's `batch_config` (BATCH messages + `use_copy`);
6. the COPY floor: the rows run 4 loaded, copied out and COPYed into an empty table with the same
   primary key in one statement: the least any loader must do.

Each `meltano run` loads into a database of its own with a fresh system database (a first sync);
its rows are counted afterwards, so a fast wrong load cannot pass for a fast one. The Meltano
project is a copy of this checkout's meltano.yml (tests/support/meltano_env.py), its plugins
installed once before anything is timed; PostgreSQL is a throwaway cluster
(tests/support/pgcluster.py), so its server binaries must be installed. Wall times are whole
processes, start-up included; CPU seconds are from wait4, a `meltano run`'s including the tap's and
the target's. Nothing is asserted: the figures are printed.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.documents import ALL_ORDERS, US, all_orders_document
from bench.processes import SIM_CLIENT, SimulatorProcess, tap_command
from tests.support.meltano_env import clean_env, copy_project, meltano_executable
from tests.support.pgcluster import PostgresCluster

START, END = "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"
SCHEMA = "amazon_sp"  # meltano.yml's default_target_schema
# target-postgres's defaults, which meltano.yml left in place before it set these two.
OLD_DEFAULTS = {"TARGET_POSTGRES_USE_COPY": "false", "TARGET_POSTGRES_VALIDATE_RECORDS": "true"}


def batch_settings(root: Path) -> dict[str, str]:
    """The tap's `batch_config` as Meltano takes it from the environment (one variable per dotted setting)."""
    return {
        "TAP_AMAZON_SP_BATCH_CONFIG_ENCODING_FORMAT": "jsonl",
        "TAP_AMAZON_SP_BATCH_CONFIG_ENCODING_COMPRESSION": "gzip",
        "TAP_AMAZON_SP_BATCH_CONFIG_STORAGE_ROOT": root.as_uri(),
    }


@dataclass
class Timed:
    """One child process run to its end."""

    wall: float
    cpu: float
    returncode: int
    stderr: str


def timed(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> Timed:
    """Run `command` with its stdout to /dev/null; wall time and the CPU of it and its descendants."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-3000:]
    return Timed(wall, usage.ru_utime + usage.ru_stime, proc.returncode, tail)


def _batch_config(root: Path) -> dict[str, Any]:
    return {"encoding": {"format": "jsonl", "compression": "gzip"}, "storage": {"root": root.as_uri()}}


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Loads:
    """The Meltano project and the PostgreSQL cluster the `meltano run`s load into."""

    def __init__(self, root: Path, sim: SimulatorProcess, cluster: PostgresCluster) -> None:
        self.root = copy_project(root / "project")
        self.sim = sim
        self.cluster = cluster
        self.meltano = str(meltano_executable())
        self.runs = 0

    def prepare(self) -> None:
        """Install the plugins and select the one stream (not timed)."""
        for args in (["install"], ["select", "tap-amazon-sp", ALL_ORDERS, "*"]):
            proc = subprocess.run(
                [self.meltano, *args], cwd=self.root, env=clean_env(), capture_output=True, text=True, check=False
            )
            if proc.returncode != 0:
                raise SystemExit(f"meltano {' '.join(args)} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")

    def run(self, name: str, overrides: dict[str, str]) -> tuple[Timed, str]:
        """`meltano run` into a new database `name`, as a first sync; returns the run and the database URL."""
        self.runs += 1
        self.cluster.create_database(name)
        url = self.cluster.url(name)
        client_id, secret, refresh = SIM_CLIENT
        env = clean_env(
            MELTANO_DATABASE_URI=f"sqlite:///{self.root / f'system-{self.runs}.db'}",
            TAP_AMAZON_SP_SP_API_URL=self.sim.url,
            TAP_AMAZON_SP_LWA_TOKEN_URL=f"{self.sim.url}/auth/o2/token",
            TAP_AMAZON_SP_LWA_CLIENT_ID=client_id,
            TAP_AMAZON_SP_LWA_CLIENT_SECRET=secret,
            TAP_AMAZON_SP_REFRESH_TOKEN=refresh,
            TAP_AMAZON_SP_REGION="US",
            TAP_AMAZON_SP_MARKETPLACE_IDS=json.dumps([US]),
            TAP_AMAZON_SP_START_DATE=START,
            TAP_AMAZON_SP_END_DATE=END,
            TARGET_POSTGRES_SQLALCHEMY_URL=url,
            **overrides,
        )
        settings = self.target_settings(env)
        print(
            f"{name}: target-postgres use_copy={settings['use_copy']}, validate_records={settings['validate_records']}"
        )
        return timed([self.meltano, "run", "tap-amazon-sp", "target-postgres"], cwd=self.root, env=env), url

    def target_settings(self, env: dict[str, str]) -> dict[str, Any]:
        """The target's settings as Meltano resolves them for a run, to show which configuration ran."""
        proc = subprocess.run(
            [self.meltano, "config", "print", "target-postgres", "--format=json"],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"meltano config failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        return dict(json.loads(proc.stdout))


def rows_in(url: str) -> int:
    import psycopg

    with psycopg.connect(_libpq(url)) as conn:
        row = conn.execute(f'SELECT count(*) FROM {SCHEMA}."{ALL_ORDERS}"').fetchone()
    return int(row[0]) if row else 0


def copy_floor(url: str, key: list[str]) -> float:
    """Seconds to COPY the loaded table's rows into an empty table with the same columns and key."""
    import psycopg

    source = f'{SCHEMA}."{ALL_ORDERS}"'
    data = io.BytesIO()
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        with conn.cursor().copy(f"COPY {source} TO STDOUT") as copy:
            for chunk in copy:
                data.write(chunk)
        conn.execute("CREATE SCHEMA floor")
        conn.execute(f'CREATE TABLE floor."{ALL_ORDERS}" (LIKE {source} INCLUDING DEFAULTS)')
        columns = ", ".join(f'"{column}"' for column in key)
        conn.execute(f'ALTER TABLE floor."{ALL_ORDERS}" ADD PRIMARY KEY ({columns})')
    payload = data.getvalue()
    with psycopg.connect(_libpq(url)) as conn:
        started = time.perf_counter()
        with conn.cursor().copy(f'COPY floor."{ALL_ORDERS}" FROM STDIN') as copy:
            for offset in range(0, len(payload), 1 << 20):
                copy.write(payload[offset : offset + (1 << 20)])
        conn.commit()
        return time.perf_counter() - started


def key_properties(workdir: Path) -> list[str]:
    catalog: dict[str, Any] = json.loads((workdir / "catalog.json").read_text())
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == ALL_ORDERS)
    return list(entry["key_properties"])


def end_to_end(rows: int) -> int:
    print(f"\n== End to end: one {ALL_ORDERS} report of {rows:,} rows into PostgreSQL ==")
    print("Wall times are whole processes, start-up included; CPU is the process's and its children's.\n")
    document = all_orders_document(rows)
    sim = SimulatorProcess(
        "--processing-delay", "0.2", "--rate-scale", "1000", "--document-file", f"{ALL_ORDERS}={document}"
    )
    cluster = PostgresCluster()
    try:
        cluster.start()
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            command = tap_command(workdir, sim.config(start_date=START, end_date=END), [ALL_ORDERS])
            key = key_properties(workdir)
            loads = Loads(workdir, sim, cluster)
            loads.prepare()
            results: list[tuple[str, Timed, int | None]] = []
            tap = timed(command, cwd=workdir)
            results.append(("tap alone (stdout to /dev/null)", tap, None))
            batches = workdir / "batches"
            (workdir / "batched").mkdir()
            config = sim.config(start_date=START, end_date=END, batch_config=_batch_config(batches / "alone"))
            batched = timed(tap_command(workdir / "batched", config, [ALL_ORDERS]), cwd=workdir)
            results.append(("tap alone, batch_config (files)", batched, None))
            old, _ = loads.run("bench_old", OLD_DEFAULTS)
            results.append(("meltano run, target-postgres defaults", old, rows_in(loads.cluster.url("bench_old"))))
            shipped, url = loads.run("bench_shipped", {})
            results.append(("meltano run, shipped meltano.yml", shipped, rows_in(url)))
            batch_run, batch_url = loads.run("bench_batch", batch_settings(batches / "meltano"))
            results.append(("meltano run, BATCH + use_copy", batch_run, rows_in(batch_url)))
            # Made by the tap's batch writer, not RECORD messages: the files it announced are there.
            files = sorted((batches / "meltano").glob("*.json.gz"))
            print(f"bench_batch: {len(files)} batch files, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB")
            for name, run, _loaded in results:
                if run.returncode != 0:
                    print(f"{name} failed (exit {run.returncode}):\n{run.stderr}")
                    return 1
            floor = copy_floor(url, key)
    finally:
        sim.close()
        cluster.stop()
    header = f"{'run':<40} | {'wall s':>7} {'CPU s':>7} {'rows/s':>8} {'rows loaded':>11} | {'x COPY floor':>12}"
    print(header)
    print("-" * len(header))
    for name, run, loaded in results:
        shown = f"{loaded:,}" if loaded is not None else "-"
        print(
            f"{name:<40} | {run.wall:>7.1f} {run.cpu:>7.1f} {rows / run.wall:>8,.0f} {shown:>11} | "
            f"{run.wall / floor:>12.1f}"
        )
    print(
        f"{'COPY floor (same rows, same key)':<40} | {floor:>7.1f} {'-':>7} {rows / floor:>8,.0f} {rows:>11,} | {1:>12.1f}"
    )
    print(
        "\nshipped: use_copy true, validate_records false; defaults: use_copy false, validate_records true;"
        " BATCH + use_copy: shipped plus the tap's batch_config (jsonl, gzip)"
    )
    print(f"key: {', '.join(key)}", flush=True)
    return 0
