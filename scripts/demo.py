"""The demo behind `scripts/demo`: `meltano run tap-amazon-sp target-postgres`, twice, then the tables.

Without Amazon credentials it starts the bundled SP-API simulator and a throwaway PostgreSQL
cluster, loads into it (the first run up to 2024-06-01, the second, incremental, up to
2024-07-01), prints the tables and their row counts, and stops both. With
TAP_AMAZON_SP_REFRESH_TOKEN (and the other TAP_AMAZON_SP_* credentials) and
TARGET_POSTGRES_SQLALCHEMY_URL in the environment or in `.env`, it syncs that seller account
into that database instead (Meltano environment `prod`, state kept in `.meltano/`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from dotenv import dotenv_values

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.meltano_env import clean_env, meltano_executable  # noqa: E402
from tests.support.pgcluster import PostgresCluster, PostgresUnavailable  # noqa: E402

SCHEMA = "amazon_sp"
STATE_ID = "{env}:tap-amazon-sp-to-target-postgres"
SIM_SECRET = "sim-client-secret-DO-NOT-LOG"
SIM_REFRESH_TOKEN = "Atzr|sim-refresh-token-DO-NOT-LOG"
FIRST_END = "2024-06-01T00:00:00Z"


def say(text: str) -> None:
    print(text, flush=True)


def dotenv(path: Path) -> dict[str, str]:
    """The variables of a `.env` file, read as Meltano reads it (python-dotenv: quotes, `export`,
    comments, escapes and multi-line values), so that the demo decides on the same settings."""
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


@contextmanager
def simulator(workdir: Path) -> Iterator[str]:
    log = (workdir / "simulator.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.spapi_simulator",
            "--port",
            "0",
            "--rate-scale",
            "2000",
            "--processing-delay",
            "0.05",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("SIMULATOR READY "):
            raise SystemExit(f"error: the simulator did not start: {line or proc.poll()} (see {log.name})")
        yield line.split()[-1]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def meltano(
    executable: Path, args: list[str], env: Mapping[str, str], log: Path | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(executable), *args], cwd=REPO, env=dict(env), capture_output=True, text=True, check=False
    )
    if log is not None:
        log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip().splitlines()
        say("\n".join(output[-40:]))
        where = f"; full log: {log}" if log else ""
        raise SystemExit(f"error: `meltano {' '.join(args)}` failed (exit {proc.returncode}){where}")
    return proc


def table_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "", 1)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY table_name",
                (SCHEMA,),
            )
        ]
        counts = {}
        for table in tables:
            row = conn.execute(f'SELECT count(*) FROM "{SCHEMA}"."{table}"').fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


def print_counts(runs: list[dict[str, int]]) -> None:
    tables = sorted(set().union(*runs))
    width = max([len(t) for t in tables] + [5])
    say(f"\nTables in schema {SCHEMA} (rows after each run):")
    say(f"  {'table':<{width}}  " + "  ".join(f"run {i + 1:>2}" for i in range(len(runs))))
    for table in tables:
        say(f"  {table:<{width}}  " + "  ".join(f"{run.get(table, 0):>6}" for run in runs))
    say(f"  {'total':<{width}}  " + "  ".join(f"{sum(run.values()):>6}" for run in runs))


def run_twice(executable: Path, env: dict[str, str], url: str, logs: Path, first_env: Mapping[str, str]) -> None:
    runs = []
    for number, extra in ((1, first_env), (2, {})):
        began = time.monotonic()
        kind = "full" if number == 1 else "incremental"
        log = logs / f"demo-run-{number}.log"
        meltano(executable, ["run", "tap-amazon-sp", "target-postgres"], {**env, **extra}, log)
        say(
            f"meltano run tap-amazon-sp target-postgres ({kind}): done in {time.monotonic() - began:.1f} s (log: {log})"
        )
        runs.append(table_counts(url))
    print_counts(runs)
    state_id = STATE_ID.format(env=env["MELTANO_ENVIRONMENT"])
    state = json.loads(meltano(executable, ["state", "get", state_id], env).stdout)
    say(f"\nBookmarks (meltano state get {state_id}):")
    for stream, bookmark in sorted(state.get("singer_state", {}).get("bookmarks", {}).items()):
        for partition in bookmark.get("partitions", []):
            value = partition.get("replication_key_value", "none (a snapshot stream, or nothing loaded yet)")
            say(f"  {stream} {partition.get('context', {}).get('marketplace_id', '')}: {value}")


def main() -> int:
    began = time.monotonic()
    executable = meltano_executable()
    settings = {**dotenv(REPO / ".env"), **os.environ}
    real = (
        bool(settings.get("TAP_AMAZON_SP_REFRESH_TOKEN"))
        and settings.get("TAP_AMAZON_SP_REFRESH_TOKEN") != SIM_REFRESH_TOKEN
    )
    with ExitStack() as stack:
        if real:
            url = settings.get("TARGET_POSTGRES_SQLALCHEMY_URL", "")
            if not url:
                raise SystemExit(
                    "error: TAP_AMAZON_SP_REFRESH_TOKEN is set, so this syncs your seller account: also set "
                    "TARGET_POSTGRES_SQLALCHEMY_URL=postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
                )
            env = {**os.environ, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", "MELTANO_ENVIRONMENT": "prod"}
            logs = REPO / ".meltano" / "logs"
            first_env: dict[str, str] = {}
            say("Syncing your seller account (Meltano environment `prod`) into TARGET_POSTGRES_SQLALCHEMY_URL")
        else:
            workdir = Path(tempfile.mkdtemp(prefix="tap-amazon-sp-demo-"))
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
            sim_url = stack.enter_context(simulator(workdir))
            say(f"SP-API simulator: {sim_url}")
            try:
                cluster = PostgresCluster()  # its own folder: the server user must reach it
                url = cluster.start()
            except PostgresUnavailable as exc:
                raise SystemExit(f"error: {exc}") from None
            stack.callback(cluster.stop)
            say(f"PostgreSQL {cluster.bindir}: 127.0.0.1:{cluster.port}, database warehouse (throwaway)")
            env = clean_env(
                MELTANO_ENVIRONMENT="dev",
                # A state store of its own: each demo starts from an empty database.
                MELTANO_DATABASE_URI=f"sqlite:///{workdir}/meltano.db",
                TAP_AMAZON_SP_SP_API_URL=sim_url,
                TAP_AMAZON_SP_LWA_TOKEN_URL=f"{sim_url}/auth/o2/token",
                TAP_AMAZON_SP_LWA_CLIENT_SECRET=SIM_SECRET,
                TAP_AMAZON_SP_REFRESH_TOKEN=SIM_REFRESH_TOKEN,
                TARGET_POSTGRES_SQLALCHEMY_URL=url,
            )
            logs = REPO / ".meltano" / "logs"
            first_env = {"TAP_AMAZON_SP_END_DATE": FIRST_END}
        logs.mkdir(parents=True, exist_ok=True)
        step = time.monotonic()
        meltano(executable, ["install"], env, logs / "demo-install.log")
        say(f"meltano install: done in {time.monotonic() - step:.1f} s")
        run_twice(executable, env, url, logs, first_env)
    say(
        f"\nDemo finished in {time.monotonic() - began:.1f} s"
        + ("" if real else "; the simulator and the PostgreSQL cluster are stopped.")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
