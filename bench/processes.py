"""The processes the benchmarks run and how they are measured: the simulator, the tap CLI, any command.

CPU seconds are the child's own, from wait4(2) (its waited-for descendants included); peak RSS is the
child's VmHWM, polled from /proc (wait4's maxrss would report the parent's size at the fork).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench.documents import ALL_ORDERS, US

REPO = Path(__file__).resolve().parents[1]
CREATE_RATE = 0.0167  # createReport's usage plan (reports_2021-06-30 model): requests per second
CREATE_BURST = 15
SIM_CLIENT = (
    "amzn1.application-oa2-client.simclient",
    "sim-client-secret-DO-NOT-LOG",
    "Atzr|sim-refresh-token-DO-NOT-LOG",
)


@dataclass
class Measured:
    """One child process, measured."""

    wall: float
    lines: int
    first: float
    last: float
    cpu: float
    peak_rss_mb: float
    returncode: int
    stderr: str

    @property
    def per_second(self) -> float:
        span = self.last - self.first
        return self.lines / span if span > 0 else float("nan")


def measure(command: list[str], marker: bytes) -> Measured:
    """Run `command`, count `marker` in its stdout as it arrives, and take its own rusage."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, cwd=REPO)
        assert proc.stdout is not None
        peak = [0]
        watcher = threading.Thread(target=_watch_peak_rss, args=(proc.pid, peak), daemon=True)
        watcher.start()
        count = 0
        first = last = 0.0
        carry = b""
        keep = len(marker) - 1
        while True:
            chunk = proc.stdout.read1(1 << 20)  # type: ignore[attr-defined]
            if not chunk:
                break
            data = carry + chunk
            found = data.count(marker)
            if found:
                now = time.perf_counter()
                first = first or now
                last = now
                count += found
            carry = data[-keep:] if keep else b""
        watcher.join()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-3000:]
    return Measured(wall, count, first, last, usage.ru_utime + usage.ru_stime, peak[0] / 1024, proc.returncode, tail)


def _watch_peak_rss(pid: int, peak: list[int]) -> None:
    """Poll VmHWM (the process's own high-water mark, in kB) until the process is gone."""
    path = Path(f"/proc/{pid}/status")
    while True:
        try:
            text = path.read_text()
        except OSError:
            return
        found = [line for line in text.splitlines() if line.startswith("VmHWM:")]
        if not found:  # a zombie: it has exited
            return
        peak[0] = max(peak[0], int(found[0].split()[1]))
        time.sleep(0.02)


class SimulatorProcess:
    """`python -m tests.spapi_simulator` in a child process."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.spapi_simulator", "--port", "0", *args],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("SIMULATOR READY "):
            self.proc.kill()
            raise RuntimeError(f"simulator did not start: {line!r}")
        self.url = line.split()[-1]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def requests(self) -> list[dict[str, Any]]:
        return list(requests.get(f"{self.url}/_sim/requests", timeout=30).json())

    def config(self, **extra: Any) -> dict[str, Any]:
        client_id, secret, refresh = SIM_CLIENT
        return {
            "lwa_client_id": client_id,
            "lwa_client_secret": secret,
            "refresh_token": refresh,
            "region": "US",
            "sp_api_url": self.url,
            "lwa_token_url": f"{self.url}/auth/o2/token",
            **extra,
        }

    def document_url(self) -> str:
        """Create one All Orders report the plain way and return its document's pre-signed URL."""
        client_id, secret, refresh = SIM_CLIENT
        token = requests.post(
            f"{self.url}/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh,
                "client_id": client_id,
                "client_secret": secret,
            },
            timeout=30,
        ).json()["access_token"]
        headers = {"x-amz-access-token": token}
        base = f"{self.url}/reports/2021-06-30"
        report_id = requests.post(
            f"{base}/reports",
            headers=headers,
            timeout=30,
            json={
                "reportType": ALL_ORDERS,
                "marketplaceIds": [US],
                "dataStartTime": "2024-01-01T00:00:00Z",
                "dataEndTime": "2024-01-02T00:00:00Z",
            },
        ).json()["reportId"]
        while True:
            report = requests.get(f"{base}/reports/{report_id}", headers=headers, timeout=30).json()
            if report["processingStatus"] == "DONE":
                break
            time.sleep(0.1)
        info = requests.get(f"{base}/documents/{report['reportDocumentId']}", headers=headers, timeout=30).json()
        return str(info["url"])


def tap_command(workdir: Path, config: dict[str, Any], streams: list[str]) -> list[str]:
    """The tap CLI with `config` and a catalog selecting `streams`."""
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    discovered = subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", "--config", str(config_path), "--discover"],
        capture_output=True,
        check=True,
        cwd=REPO,
    )
    catalog = json.loads(discovered.stdout)
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = entry["tap_stream_id"] in streams
    catalog_path = workdir / "catalog.json"
    catalog_path.write_text(json.dumps(catalog))
    return [sys.executable, "-m", "tap_amazon_sp.tap", "--config", str(config_path), "--catalog", str(catalog_path)]


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{model or platform.processor()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average at start {load}"
    )
