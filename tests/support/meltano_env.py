"""Meltano for the demo and the end-to-end tests: installed in its own virtualenv, run as a command.

    python -m tests.support.meltano_env install    # makes .meltano-venv if needed; prints the meltano path

Meltano and the tap never share a virtualenv: Meltano installs each plugin into its own one
(with uv) under the project's `.meltano/` folder. Meltano comes with its `postgres` extra, so that its
system database (`MELTANO_DATABASE_URI`) can be PostgreSQL, as when several runners share state.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from tests.support.tool_venv import install_main, tool_executable

REPO = Path(__file__).resolve().parents[2]
MELTANO_REQUIREMENT = "meltano[postgres]>=4.4,<4.5"
MELTANO_VENV = REPO / ".meltano-venv"
# Variables a developer's shell may hold that would change what a run does.
_FOREIGN_PREFIXES = ("TAP_AMAZON_SP_", "TARGET_POSTGRES_", "MELTANO_")


def meltano_executable(*, install: bool = True) -> Path:
    """`$MELTANO_BIN`, else `.meltano-venv/bin/meltano`, made on first use when `install`."""
    return tool_executable("meltano", MELTANO_REQUIREMENT, MELTANO_VENV, variable="MELTANO_BIN", install=install)


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without tap, target or Meltano settings, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_PREFIXES)}
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(overrides)
    return env


def copy_project(destination: Path) -> Path:
    """A copy of the repository's meltano.yml and lock files in `destination`, installing the tap from
    this checkout.

    Tests run Meltano in a copy so that `meltano select` and the system database never touch the
    checkout's own project.
    """
    text = (REPO / "meltano.yml").read_text(encoding="utf-8")
    local = "pip_url: -e .\n"
    if local not in text:
        raise AssertionError("meltano.yml no longer installs the tap with `pip_url: -e .`")
    destination.mkdir(parents=True, exist_ok=True)
    (destination / "meltano.yml").write_text(text.replace(local, f"pip_url: -e {REPO}\n"), encoding="utf-8")
    # The lock files that hold the definitions of plugins from the Hub (target-postgres).
    shutil.copytree(REPO / "plugins", destination / "plugins", dirs_exist_ok=True)
    return destination


def main(argv: list[str] | None = None) -> int:
    executable = install_main("meltano_env", meltano_executable, argv)
    if executable is None:
        return 2
    return 0 if shutil.which(str(executable)) else 1


if __name__ == "__main__":
    sys.exit(main())
