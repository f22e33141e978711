"""The command line at its edges: config files it cannot read, stdout that takes nothing more.

Each is one line naming what is wrong and exit status 1, never a stack trace (README, "What happens
when"); the simulator shows that nothing was requested.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import REPO, TapRun

END = "2024-03-01T00:00:00Z"


def tap(*args: str, stdout: int | None = subprocess.PIPE) -> TapRun:
    """The real command, its environment without TAP_AMAZON_SP_ settings."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
    proc = subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env=environment,
        cwd=REPO,
    )
    return TapRun(proc.stdout or "", proc.stderr, proc.returncode)


def error_lines(run: TapRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if "| ERROR" in line]


def _good(sim: Simulator) -> str:
    return json.dumps(make_config(sim, end_date=END))


BAD_CONFIGS = {
    "cut short": (lambda sim: _good(sim)[:120], "not valid JSON (Unterminated string starting at: line 1 column"),
    "not an object": (lambda sim: "[1, 2]", "a list instead of an object"),
    "NaN for a number": (
        lambda sim: _good(sim)[:-1] + ', "request_timeout_seconds": NaN}',
        "not valid JSON (NaN is not a JSON number)",
    ),
    "not UTF-8": (lambda sim: "\udcff", "not UTF-8 text"),
    "missing": (None, "cannot be read (No such file or directory)"),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
@pytest.mark.parametrize("mode", ["sync", "--discover", "--test"])
def test_a_config_file_the_tap_cannot_read_is_one_line_naming_it_exit_1_and_no_request(
    sim: Simulator, tmp_path: Path, case: str, mode: str
):
    make, said = BAD_CONFIGS[case]
    path = tmp_path / "config.json"
    if make is not None:
        path.write_bytes(make(sim).encode("utf-8", errors="surrogateescape"))
    run = tap("--config", str(path), *([] if mode == "sync" else [mode]))
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    (line,) = error_lines(run)
    assert f"config {path}: {said}" in line, line
    assert sim.credentials.client_secret not in run.stderr
    assert run.stdout == ""
    assert sim.requests == []


@pytest.mark.parametrize("mode", ["--discover", "--about", "--version", "--test=schema"])
def test_a_stdout_that_refuses_writes_is_one_line_and_exit_1_in_every_mode(sim: Simulator, tmp_path: Path, mode: str):
    config = tmp_path / "config.json"
    config.write_text(_good(sim))
    with open("/dev/full", "w") as full:  # a full disk: every write fails with ENOSPC
        run = tap("--config", str(config), mode, stdout=full.fileno())
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    (line,) = error_lines(run)
    assert "Writing to stdout failed (No space left on device); stopping, as nothing more can be written" in line


@pytest.mark.parametrize("mode", ["--discover", "--about", "--test=schema"])
def test_a_reader_that_closes_the_pipe_early_is_one_line_and_exit_1_in_every_mode(
    sim: Simulator, tmp_path: Path, mode: str
):
    config = tmp_path / "config.json"
    config.write_text(_good(sim))
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte
    try:
        run = (
            tap("--config", str(config), mode, "--format", "markdown", stdout=write)
            if mode == "--about"
            else tap("--config", str(config), mode, stdout=write)
        )
    finally:
        os.close(write)
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr
    (line,) = error_lines(run)
    assert "The output pipe was closed by its reader; stopping, as nothing more can be written" in line
