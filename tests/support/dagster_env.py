"""Dagster for the orchestration example (orchestration/dagster/defs.py) and its end-to-end test.

    python -m tests.support.dagster_env install    # makes .dagster-venv if needed; prints the dagster path

Dagster gets a virtualenv of its own, apart from the tap's (.venv) and Meltano's (.meltano-venv):
the example's ops run `meltano run` as a command, so Dagster and Meltano share no library.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.support.tool_venv import install_main, tool_executable

REPO = Path(__file__).resolve().parents[2]
DAGSTER_REQUIREMENT = "dagster>=1.13,<1.14"
DAGSTER_VENV = REPO / ".dagster-venv"
DEFINITIONS = REPO / "orchestration" / "dagster" / "defs.py"


def dagster_executable(*, install: bool = True) -> Path:
    """`$DAGSTER_BIN`, else `.dagster-venv/bin/dagster`, made on first use when `install`."""
    return tool_executable("dagster", DAGSTER_REQUIREMENT, DAGSTER_VENV, variable="DAGSTER_BIN", install=install)


def main(argv: list[str] | None = None) -> int:
    return 2 if install_main("dagster_env", dagster_executable, argv) is None else 0


if __name__ == "__main__":
    sys.exit(main())
