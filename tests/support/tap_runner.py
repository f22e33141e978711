"""Run the tap against the simulator and collect what it printed: in-process, or as the real CLI."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tap_amazon_sp.tap import TapAmazonSP

REPO = Path(__file__).resolve().parents[2]
# Every run of this process: tests/conftest.py searches each test's runs for every secret any
# simulator issued.
CAPTURED: list[TapRun] = []


@dataclass
class TapRun:
    """Everything one tap run printed, parsed."""

    stdout: str
    stderr: str
    returncode: int = 0
    error: BaseException | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    trace: str = ""  # an in-process failure's full traceback, chained exceptions included

    def __post_init__(self) -> None:
        self.messages = [json.loads(line) for line in self.stdout.splitlines() if line.startswith("{")]
        # Kept for tests/conftest.py, which searches every test's runs for secrets.
        CAPTURED.append(self)

    def records(self, stream: str | None = None) -> list[dict[str, Any]]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and (stream is None or m["stream"] == stream)
        ]

    @property
    def states(self) -> list[dict[str, Any]]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def last_state(self) -> dict[str, Any]:
        return self.states[-1] if self.states else {}

    def bookmark(self, stream: str, marketplace_id: str, state: dict[str, Any] | None = None) -> str | None:
        """The bookmark of one stream partition in `state` (default: the last STATE printed)."""
        state = self.last_state if state is None else state
        for partition in state.get("bookmarks", {}).get(stream, {}).get("partitions", []):
            if partition.get("context", {}).get("marketplace_id") == marketplace_id:
                return partition.get("replication_key_value")
        return None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def catalog_for(config: dict[str, Any], streams: list[str]) -> dict[str, Any]:
    """A catalog selecting only `streams`."""
    tap = TapAmazonSP(config=config, validate_config=False, setup_mapper=False)
    catalog = tap.catalog_dict
    for entry in catalog["streams"]:
        selected = entry["tap_stream_id"] in streams
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = selected
    return catalog


def run_tap(config: dict[str, Any], *, streams: list[str] | None = None, state: dict[str, Any] | None = None) -> TapRun:
    """Run a sync in this process; a failure is kept in `error`, not raised."""
    catalog = catalog_for(config, streams) if streams is not None else None
    out, err = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    # The CLI logs at INFO; in-process, the root logger's level would hide the progress lines.
    tap_logger = logging.getLogger(TapAmazonSP.name)
    level = tap_logger.level
    tap_logger.setLevel(logging.INFO)
    error: BaseException | None = None
    trace = ""
    try:
        with contextlib.redirect_stdout(out):
            tap = TapAmazonSP(config=config, catalog=catalog, state=state, setup_mapper=True)
            tap.sync_all()
    except Exception as exc:
        error = exc
        trace = "".join(traceback.format_exception(exc))
        err.write(f"{type(exc).__name__}: {exc}\n")
    finally:
        root.removeHandler(handler)
        tap_logger.setLevel(level)
    return TapRun(out.getvalue(), err.getvalue(), 1 if error else 0, error, trace=trace)


def run_cli(
    config: dict[str, Any],
    *args: str,
    state: dict[str, Any] | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> TapRun:
    """Run the real `tap-amazon-sp` command in a subprocess; `env` adds environment variables
    (`--config ENV` among `args` reads them)."""
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp, "config.json")
        config_path.write_text(json.dumps(config))
        command = [sys.executable, "-m", "tap_amazon_sp.tap", "--config", str(config_path), *args]
        if state is not None:
            state_path = Path(tmp, "state.json")
            state_path.write_text(json.dumps(state))
            command += ["--state", str(state_path)]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("TAP_AMAZON_SP_")}
        environment.update(env or {})
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment, cwd=REPO)
    return TapRun(proc.stdout, proc.stderr, proc.returncode)


def secrets_in(run: TapRun, secrets: Iterable[str]) -> list[str]:
    """The secrets `run` printed anywhere (stdout with its STATE messages, stderr, the traceback of
    an in-process failure), shortened so that the report itself leaks nothing; a presigned URL's
    signature parameter counts as one."""
    text = run.stdout + run.stderr + run.trace + str(run.error or "")
    found = [secret[:6] + "..." for secret in secrets if secret and secret in text]
    if "X-Amz-Signature" in text:
        found.append("X-Amz-Signature")
    return found


def report_requests(requests: Iterable[Any], report_type: str | None = None) -> list[dict[str, Any]]:
    """The createReport bodies among the simulator's recorded requests (of one report type, if given), in order."""
    bodies = [json.loads(r.body) for r in requests if r.operation == "createReport"]
    return [b for b in bodies if report_type is None or b["reportType"] == report_type]
