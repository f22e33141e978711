"""The simulator's options for benchmarks and ordering tests: canned documents, per-report delays."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from tests.sim.test_simulator_server import ORDERS, REPORTS, Client
from tests.spapi_simulator import Simulator


def _wait_done(client: Client, report_id: str) -> dict:
    for _ in range(200):
        report = client.call("GET", f"{REPORTS}/reports/{report_id}").json()
        if report["processingStatus"] not in ("IN_QUEUE", "IN_PROGRESS"):
            return dict(report)
        time.sleep(0.02)
    raise AssertionError("report never finished")


def test_a_document_file_is_served_for_every_report_of_its_type(tmp_path: Path):
    text = "amazon-order-id\tsku\n111-0000001-0000001\tA\n"
    path = tmp_path / "orders.tsv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    with Simulator(processing_delay=0.02, document_files={ORDERS: path}) as sim:
        client = Client(sim)
        for start, end in (("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"), ("2024-04-02T00:00:00Z", None)):
            report_id = client.create(ORDERS, start, end).json()["reportId"]
            report = _wait_done(client, report_id)
            # Even a window without data (April) is DONE: the file is the document.
            assert report["processingStatus"] == "DONE"
            info = client.call("GET", f"{REPORTS}/documents/{report['reportDocumentId']}").json()
            download = client.http.get(info["url"], timeout=5)
            assert download.status_code == 200
            assert download.headers["Content-Type"] == "text/plain; charset=UTF-8"
            assert gzip.decompress(download.content).decode() == text


def test_processing_delays_are_taken_one_per_created_report():
    with Simulator(processing_delay=0.02) as sim:
        sim.set_faults(processing_delays=[0.6, 0.02])
        client = Client(sim)
        slow = client.create(ORDERS, "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z").json()["reportId"]
        quick = client.create(ORDERS, "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z").json()["reportId"]
        time.sleep(0.1)
        assert client.call("GET", f"{REPORTS}/reports/{slow}").json()["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS")
        assert client.call("GET", f"{REPORTS}/reports/{quick}").json()["processingStatus"] in ("DONE", "CANCELLED")
        assert sim.faults.get("processing_delays") == []
