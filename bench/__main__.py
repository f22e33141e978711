"""Benchmarks: throughput of one large report and latency of a windowed sync, against the simulator.

    python -m bench                      # both (the latency part takes about a minute)
    python -m bench throughput --sizes 50000,300000
    python -m bench latency

Everything runs as separate processes, as in production: the simulator, the tap CLI (stdout into a
pipe whose RECORD lines this process counts) and the floor loop (bench/floor.py). CPU seconds are
the child's own, from wait4(2); peak RSS is the child's VmHWM, polled from /proc (wait4's maxrss
would report this process's size at the fork). Nothing here is asserted: the figures are printed.
"""

from __future__ import annotations

import argparse
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

from bench.documents import ALL_ORDERS, US, all_orders_document

BY_UPDATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"

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


def throughput(sizes: list[int]) -> None:
    print("\n== Throughput: one GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL report of N rows ==")
    print("records/s counts from the first to the last record seen on the tap's stdout; CPU and peak RSS are")
    print("the whole process's (start-up included). The floor downloads, gunzips, decodes, splits and writes")
    print("one JSON line per row (bench/floor.py).\n")
    header = (
        f"{'rows':>9} | {'tap rec/s':>9} {'tap CPU s':>9} {'tap RSS MB':>10} | "
        f"{'floor rec/s':>11} {'floor CPU s':>11} {'floor RSS MB':>12} | {'tap/floor time':>14}"
    )
    print(header)
    print("-" * len(header))
    for rows in sizes:
        document = all_orders_document(rows)
        sim = SimulatorProcess(
            "--processing-delay", "0.2", "--rate-scale", "1000", "--document-file", f"{ALL_ORDERS}={document}"
        )
        try:
            floor = measure([sys.executable, "-m", "bench.floor", sim.document_url(), "utf-8"], b"\n")
            with tempfile.TemporaryDirectory() as tmp:
                config = sim.config(start_date="2024-01-01T00:00:00Z", end_date="2024-01-02T00:00:00Z")
                tap = measure(tap_command(Path(tmp), config, [ALL_ORDERS]), b'{"type":"RECORD"')
        finally:
            sim.close()
        for name, run in (("tap", tap), ("floor", floor)):
            if run.returncode != 0 or run.lines != rows:
                print(f"{name} failed for {rows} rows (exit {run.returncode}, {run.lines} lines):\n{run.stderr}")
                return
        ratio = (tap.last - tap.first) / (floor.last - floor.first)
        print(
            f"{rows:>9} | {tap.per_second:>9,.0f} {tap.cpu:>9.2f} {tap.peak_rss_mb:>10.1f} | "
            f"{floor.per_second:>11,.0f} {floor.cpu:>11.2f} {floor.peak_rss_mb:>12.1f} | {ratio:>14.2f}",
            flush=True,
        )


def latency(streams: list[str], windows: int = 12, processing: float = 20.0) -> None:
    reports = windows * len(streams)
    print(
        f"\n== Latency: {len(streams)} stream(s) x {windows} one-day windows = {reports} reports, "
        f"{processing:.0f} s report processing, Amazon's real quota =="
    )
    print(f"createReport: burst {CREATE_BURST}, then {CREATE_RATE} per second (simulator at rate scale 1)")
    print("streams: " + ", ".join(streams) + "\n")
    sim = SimulatorProcess("--processing-delay", str(processing), "--rate-scale", "1", "--rows", "5000")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = sim.config(
                start_date="2024-01-01T00:00:00Z", end_date=f"2024-01-{1 + windows:02d}T00:00:00Z", period_in_days=1
            )
            command = tap_command(Path(tmp), config, streams)
            sim_requests_before = len(sim.requests())
            run = measure(command, b'{"type":"RECORD"')
        creates = [r for r in sim.requests()[sim_requests_before:] if r["operation"] == "createReport"]
    finally:
        sim.close()
    if run.returncode != 0:
        print(f"tap failed (exit {run.returncode}):\n{run.stderr}")
        return
    # The i-th report (0-based) can be created no earlier than (i - burst + 1) / rate seconds in; the
    # last one to be created is ready `processing` seconds later. Download and start-up are not counted.
    last_created = max(0.0, (reports - CREATE_BURST) / CREATE_RATE)
    bound = last_created + processing
    spread = (creates[-1]["time"] - creates[0]["time"]) if creates else 0.0
    print(f"createReport calls: {len(creates)}, all within {spread:.1f} s of the first")
    print(f"records: {run.lines}; tap CPU {run.cpu:.2f} s; peak RSS {run.peak_rss_mb:.1f} MB")
    print(
        f"wall time {run.wall:.1f} s | lower bound {bound:.1f} s "
        f"(= max(0, {reports} - {CREATE_BURST}) / {CREATE_RATE} + {processing:.0f}) | ratio {run.wall / bound:.2f}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="?", choices=("all", "throughput", "latency"), default="all")
    parser.add_argument("--sizes", default="50000,300000,1000000", help="rows per document, comma separated")
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}")
    if args.which in ("all", "throughput"):
        throughput([int(s) for s in args.sizes.split(",") if s.strip()])
    if args.which in ("all", "latency"):
        latency([ALL_ORDERS])
        # The same number of reports spread over two streams: the second stream's windows are
        # requested while the first stream's are processed.
        latency([ALL_ORDERS, BY_UPDATE], windows=6)
    return 0


if __name__ == "__main__":
    sys.exit(main())
