"""Dagster: every Amazon account of a Meltano project synced in parallel, once a day or on demand.

    dagster job execute -f orchestration/dagster/defs.py -j all_accounts        # every account, now
    dagster job execute -f orchestration/dagster/defs.py -j all_accounts -o sync_tap_amazon_sp__jp_seller
    dagster dev -f orchestration/dagster/defs.py                                # UI, runs and the schedule

The accounts are the project's extractors that inherit from `tap-amazon-sp` (`inherit_from` in
meltano.yml or a file it includes): one op each, running `meltano run <extractor> <target>` as a
subprocess in the project, so each account keeps its own Meltano state ID and its own process (its
own quota, token and memory). The job `all_accounts` runs the ops side by side: Amazon meters each
account on its own, so they do not slow each other down. A failed account fails its op in one line;
the others finish. Add an account to meltano.yml and it is an op at the next load of this file.

Environment (all optional):
  MELTANO_PROJECT_ROOT      the Meltano project (default: this repository)
  MELTANO_BIN               the meltano command (default: `meltano` on PATH)
  ACCOUNTS_TARGET           the loader (default: target-postgres)
  ACCOUNTS_SCHEDULE         cron of the daily run (default: 0 4 * * *, 04:00)
  ACCOUNTS_TIMEZONE         the schedule's time zone (default: UTC)
  ACCOUNTS_MAX_CONCURRENT   accounts synced at once (default: all of them)
Everything else in the environment (MELTANO_DATABASE_URI, each account's secrets) reaches Meltano.

Dagster runs this file in its own virtualenv, apart from Meltano's and the tap's (Dagster and
Meltano pin different versions of the same libraries); `python -m tests.support.dagster_env install`
makes it.
"""

import collections
import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import yaml

PARENT = "tap-amazon-sp"
PROJECT = Path(os.environ.get("MELTANO_PROJECT_ROOT") or Path(__file__).resolve().parents[2])
MELTANO = os.environ.get("MELTANO_BIN") or "meltano"
TARGET = os.environ.get("ACCOUNTS_TARGET") or "target-postgres"
SCHEDULE = os.environ.get("ACCOUNTS_SCHEDULE") or "0 4 * * *"
TIMEZONE = os.environ.get("ACCOUNTS_TIMEZONE") or "UTC"
# An error line of Meltano's console log: `<time> [error    ] <plugin or meltano> <text>`.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ERROR = re.compile(r"\[error\s*\]\s+(?P<plugin>\S+)\s+(?P<text>.*)")


def account_extractors(project: Path = PROJECT) -> list[str]:
    """The extractors of `project` that inherit from tap-amazon-sp, in their meltano.yml order."""
    root = yaml.safe_load((project / "meltano.yml").read_text(encoding="utf-8")) or {}
    files = [root]
    for pattern in root.get("include_paths") or []:
        files += [yaml.safe_load(path.read_text(encoding="utf-8")) or {} for path in sorted(project.glob(pattern))]
    return [
        extractor["name"]
        for found in files
        for extractor in (found.get("plugins") or {}).get("extractors") or []
        if extractor.get("inherit_from") == PARENT
    ]


def op_name(extractor: str) -> str:
    """Dagster's name of an account's op: `tap-amazon-sp--jp-seller` is `sync_tap_amazon_sp__jp_seller`."""
    return "sync_" + re.sub(r"[^A-Za-z0-9_]", "_", extractor)


def failure_line(extractor: str, lines: list[str]) -> str:
    """The one line that says why an account's run failed: the extractor's last error (the tap ends
    a failed sync with one line saying why), else any plugin's or Meltano's last error, else the last
    line of output."""
    errors = [match for line in lines if (match := _ERROR.search(_ANSI.sub("", line)))]
    own = [m.group("text") for m in errors if m.group("plugin") == extractor]
    said = [m.group("text") for m in errors if m.group("plugin") != "meltano"] or [m.group("text") for m in errors]
    chosen = (own or said or [line.strip() for line in lines if line.strip()] or ["no output"])[-1]
    return f"{extractor}: {chosen.strip()}"


# Accounts loading into one schema at once race to create the same table on their first run:
# target-postgres's CREATE TABLE fails the loser ("relation ... already exists", or a duplicate key in
# pg_type). The table exists by then, and the same run again resumes from its state and loads.
_CREATE_RACE = re.compile(r"DuplicateTable|already exists|pg_type_typname_nsp_index")


def run_meltano(
    context: dg.OpExecutionContext, label: str, *args: str, again_on: re.Pattern[str] | None = None
) -> None:
    """`meltano ARGS` in the project, its output in the op's captured logs; a failure is one line.
    A failure whose output matches `again_on` is run once more."""
    try:
        _run_meltano_once(context, label, *args)
    except dg.Failure as failure:
        if again_on is None or not again_on.search(str(failure.metadata.get("output tail", ""))):
            raise
        context.log.warning("%s: %s; running it once more", label, failure.description)
        _run_meltano_once(context, label, *args)


def _run_meltano_once(context: dg.OpExecutionContext, label: str, *args: str) -> None:
    command = [MELTANO, *args]
    context.log.info("%s (in %s)", " ".join(command), PROJECT)
    tail: collections.deque[str] = collections.deque(maxlen=400)
    proc = subprocess.Popen(
        command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    )
    assert proc.stdout is not None
    # Meltano's log goes to the op's captured output (Dagster's compute logs), not event by event.
    for line in proc.stdout:
        sys.stdout.write(line)
        tail.append(line.rstrip("\n"))
    if proc.wait() != 0:
        raise dg.Failure(
            description=failure_line(label, list(tail)),
            metadata={"exit status": proc.returncode, "output tail": dg.MetadataValue.text("\n".join(tail))},
        )
    context.log.info("%s: done", label)


@dg.op(description="meltano upgrade database: Meltano's system database migrated, once, before the accounts run")
def system_database(context: dg.OpExecutionContext) -> None:
    # Every `meltano run` migrates a new system database on first use; several at once on the same
    # PostgreSQL database collide (duplicate key in pg_type, "Cannot upgrade the system database").
    run_meltano(context, "meltano", "upgrade", "database")


def sync_op(extractor: str) -> dg.OpDefinition:
    @dg.op(
        name=op_name(extractor),
        ins={"migrated": dg.In(dg.Nothing)},
        tags={"account": extractor},
        description=f"meltano run {extractor} {TARGET}",
    )
    def sync(context: dg.OpExecutionContext) -> None:
        run_meltano(context, extractor, "run", extractor, TARGET, again_on=_CREATE_RACE)

    return sync


ACCOUNTS = account_extractors()
MAX_CONCURRENT = int(os.environ.get("ACCOUNTS_MAX_CONCURRENT") or max(1, len(ACCOUNTS)))


@dg.job(
    name="all_accounts",
    description=f"Every account's `meltano run <extractor> {TARGET}`, side by side",
    # The default would run as many at once as the machine has cores; the work is waiting on Amazon.
    executor_def=dg.multiprocess_executor.configured({"max_concurrent": MAX_CONCURRENT}),
)
def all_accounts() -> None:
    migrated = system_database()
    for extractor in ACCOUNTS:
        sync_op(extractor)(migrated)


defs = dg.Definitions(
    jobs=[all_accounts],
    schedules=[
        dg.ScheduleDefinition(
            name="all_accounts_schedule",
            job=all_accounts,
            cron_schedule=SCHEDULE,
            execution_timezone=TIMEZONE,
            default_status=dg.DefaultScheduleStatus.RUNNING,
        )
    ],
)
