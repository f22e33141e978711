"""Dagster for the orchestration example (orchestration/dagster/defs.py) and its end-to-end test.

    python -m tests.support.dagster_env install    # makes .dagster-venv if needed; prints the dagster path

Dagster gets a virtualenv of its own, apart from the tap's (.venv) and Meltano's (.meltano-venv):
the example's ops run `meltano run` as a command, so Dagster and Meltano share no library.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAGSTER_REQUIREMENT = "dagster>=1.13,<1.14"
DAGSTER_VENV = REPO / ".dagster-venv"
DEFINITIONS = REPO / "orchestration" / "dagster" / "defs.py"
# What the virtualenv was made with: a different requirement installs it again.
INSTALLED_MARK = DAGSTER_VENV / "installed-requirement.txt"


def dagster_executable(*, install: bool = True) -> Path:
    """`$DAGSTER_BIN`, else `.dagster-venv/bin/dagster`, made on first use when `install`."""
    configured = os.environ.get("DAGSTER_BIN")
    if configured:
        return Path(configured)
    executable = DAGSTER_VENV / "bin" / "dagster"
    if not install or (executable.exists() and _installed() == DAGSTER_REQUIREMENT):
        return executable
    print(f"Installing {DAGSTER_REQUIREMENT} into {DAGSTER_VENV} ...", file=sys.stderr, flush=True)
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(DAGSTER_VENV)], check=True)
    pip = [str(DAGSTER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    proc = subprocess.run([*pip, DAGSTER_REQUIREMENT], capture_output=True, text=True, check=False)
    # Some machines' pip.conf names local mirrors that do not exist: pip warns once per package.
    noise = "is ignored: it is neither a file nor a directory"
    sys.stderr.write("".join(line for line in proc.stderr.splitlines(True) if noise not in line))
    if proc.returncode != 0:
        raise SystemExit(f"error: could not install {DAGSTER_REQUIREMENT} (pip exit {proc.returncode})")
    INSTALLED_MARK.write_text(DAGSTER_REQUIREMENT + "\n", encoding="utf-8")
    return executable


def _installed() -> str:
    try:
        return INSTALLED_MARK.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["install"]:
        print("usage: python -m tests.support.dagster_env install", file=sys.stderr)
        return 2
    executable = dagster_executable()
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True, check=True)
    print(executable)
    print(version.stdout.strip(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
