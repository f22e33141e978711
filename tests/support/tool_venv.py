"""A command-line tool in a virtualenv of its own (Meltano, Dagster), made on first use.

Each tool's module names its requirement and folder; this one installs it and answers
`python -m tests.support.<module> install`, which scripts/test runs before the tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def tool_executable(command: str, requirement: str, venv: Path, *, variable: str, install: bool) -> Path:
    """`$<variable>`, else `<venv>/bin/<command>`, made (or made again, for a different requirement)
    on first use when `install`."""
    configured = os.environ.get(variable)
    if configured:
        return Path(configured)
    executable = venv / "bin" / command
    # What the virtualenv was made with: a different requirement (an extra added) installs it again.
    mark = venv / "installed-requirement.txt"
    if not install or (executable.exists() and _installed(mark) == requirement):
        return executable
    print(f"Installing {requirement} into {venv} ...", file=sys.stderr, flush=True)
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    proc = subprocess.run([*pip, requirement], capture_output=True, text=True, check=False)
    # Some machines' pip.conf names local mirrors that do not exist: pip warns once per package.
    noise = "is ignored: it is neither a file nor a directory"
    sys.stderr.write("".join(line for line in proc.stderr.splitlines(True) if noise not in line))
    if proc.returncode != 0:
        raise SystemExit(f"error: could not install {requirement} (pip exit {proc.returncode})")
    mark.write_text(requirement + "\n", encoding="utf-8")
    return executable


def _installed(mark: Path) -> str:
    try:
        return mark.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def install_main(module: str, executable: Callable[[], Path], argv: list[str] | None) -> Path | None:
    """`install`: the tool made if needed, its path printed (its version on stderr); None, after a
    usage line, for any other arguments."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["install"]:
        print(f"usage: python -m tests.support.{module} install", file=sys.stderr)
        return None
    path = executable()
    version = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True)
    print(path)
    print(version.stdout.strip(), file=sys.stderr)
    return path
