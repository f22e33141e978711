"""Meltano for the demo and the end-to-end tests: installed in its own virtualenv, run as a command.

    python -m tests.support.meltano_env install    # makes .meltano-venv if needed; prints the meltano path

Meltano and the tap never share a virtualenv: Meltano installs each plugin into its own one
(with uv) under the project's `.meltano/` folder. Meltano comes with its `postgres` extra, so that its
system database (`MELTANO_DATABASE_URI`) can be PostgreSQL, as when several runners share state.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MELTANO_REQUIREMENT = "meltano[postgres]>=4.4,<4.5"
MELTANO_VENV = REPO / ".meltano-venv"
# What the virtualenv was made with: a different requirement (an extra added) installs it again.
INSTALLED_MARK = MELTANO_VENV / "installed-requirement.txt"
# Variables a developer's shell may hold that would change what a run does.
_FOREIGN_PREFIXES = ("TAP_AMAZON_SP_", "TARGET_POSTGRES_", "MELTANO_")


def meltano_executable(*, install: bool = True) -> Path:
    """`$MELTANO_BIN`, else `.meltano-venv/bin/meltano`, made on first use when `install`."""
    configured = os.environ.get("MELTANO_BIN")
    if configured:
        return Path(configured)
    executable = MELTANO_VENV / "bin" / "meltano"
    if not install or (executable.exists() and _installed() == MELTANO_REQUIREMENT):
        return executable
    print(f"Installing {MELTANO_REQUIREMENT} into {MELTANO_VENV} ...", file=sys.stderr, flush=True)
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(MELTANO_VENV)], check=True)
    pip = [str(MELTANO_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    proc = subprocess.run([*pip, MELTANO_REQUIREMENT], capture_output=True, text=True, check=False)
    # Some machines' pip.conf names local mirrors that do not exist: pip warns once per package.
    noise = "is ignored: it is neither a file nor a directory"
    sys.stderr.write("".join(line for line in proc.stderr.splitlines(True) if noise not in line))
    if proc.returncode != 0:
        raise SystemExit(f"error: could not install {MELTANO_REQUIREMENT} (pip exit {proc.returncode})")
    INSTALLED_MARK.write_text(MELTANO_REQUIREMENT + "\n", encoding="utf-8")
    return executable


def _installed() -> str:
    try:
        return INSTALLED_MARK.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


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
    args = sys.argv[1:] if argv is None else argv
    if args != ["install"]:
        print("usage: python -m tests.support.meltano_env install", file=sys.stderr)
        return 2
    executable = meltano_executable()
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True, check=True)
    print(executable)
    print(version.stdout.strip(), file=sys.stderr)
    return 0 if shutil.which(str(executable)) else 1


if __name__ == "__main__":
    sys.exit(main())
