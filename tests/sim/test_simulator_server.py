"""Fast checks of the SP-API simulator itself, over real HTTP on loopback."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.spapi_simulator import Simulator
from tests.spapi_simulator.lwa import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
)

REPORTS = "/reports/2021-06-30"
US = "ATVPDKIKX0DER"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"
REPO = Path(__file__).resolve().parents[2]
FORM = {
    "grant_type": "refresh_token",
    "refresh_token": DEFAULT_REFRESH_TOKEN,
    "client_id": DEFAULT_CLIENT_ID,
    "client_secret": DEFAULT_CLIENT_SECRET,
}


# Not conftest's shared `sim`: these tests provoke violations on purpose and need their own
# settings (real usage-plan rates, short delays). A report takes 0.5 s to build: long enough that
# the first getReport sees it queued even on a loaded machine (0.06 s was not), short enough to wait.
@pytest.fixture
def local_sim() -> Iterator[Simulator]:
    with Simulator(processing_delay=0.5) as simulator:
        yield simulator


_SESSIONS: list[requests.Session] = []


@pytest.fixture(autouse=True)
def _close_sessions() -> Iterator[None]:
    yield
    while _SESSIONS:
        _SESSIONS.pop().close()


class Client:
    """A minimal SP-API client for poking the simulator."""

    def __init__(self, simulator: Simulator) -> None:
        self.url = simulator.url
        self.http = requests.Session()
        _SESSIONS.append(self.http)
        reply = self.http.post(f"{self.url}/auth/o2/token", data=FORM, timeout=5)
        reply.raise_for_status()
        self.token = reply.json()["access_token"]

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"x-amz-access-token": self.token, **kwargs.pop("headers", {})}
        return self.http.request(method, self.url + path, headers=headers, timeout=5, **kwargs)

    def create(
        self, report_type: str, start: str | None = None, end: str | None = None, marketplaces: list[str] | None = None
    ) -> requests.Response:
        body: dict[str, Any] = {"reportType": report_type, "marketplaceIds": marketplaces or [US]}
        if start:
            body["dataStartTime"] = start
        if end:
            body["dataEndTime"] = end
        return self.call("POST", f"{REPORTS}/reports", json=body)

    def wait(self, report_id: str, limit: float = 3.0) -> tuple[dict[str, Any], list[str]]:
        seen: list[str] = []
        deadline = time.monotonic() + limit
        while True:
            reply = self.call("GET", f"{REPORTS}/reports/{report_id}")
            assert reply.status_code == 200, reply.text
            report = reply.json()
            status = report["processingStatus"]
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in ("DONE", "CANCELLED", "FATAL") or time.monotonic() > deadline:
                return report, seen
            time.sleep(0.1)  # within getReport's real rate: 2 a second after a burst of 15

    def download(self, document_id: str, **params: str) -> requests.Response:
        info = self.call("GET", f"{REPORTS}/documents/{document_id}", params=params).json()
        assert info["compressionAlgorithm"] == "GZIP"
        # No SP-API headers: the document host is "S3".
        return requests.get(info["url"], timeout=5)


def test_token_grant_and_errors(local_sim: Simulator) -> None:
    sim = local_sim
    url = f"{sim.url}/auth/o2/token"
    ok = requests.post(url, data=FORM, timeout=5)
    assert ok.status_code == 200
    body = ok.json()
    assert body["access_token"].startswith("Atza|")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert ok.headers["Cache-Control"] == "no-store"

    bad_secret = requests.post(url, data={**FORM, "client_secret": "nope"}, timeout=5)
    assert bad_secret.status_code == 401
    assert bad_secret.json() == {"error": "invalid_client", "error_description": "Client authentication failed"}
    bad_refresh = requests.post(url, data={**FORM, "refresh_token": "Atzr|old"}, timeout=5)
    assert bad_refresh.status_code == 400
    assert bad_refresh.json()["error"] == "invalid_grant"
    assert "refresh_token" in bad_refresh.json()["error_description"]

    sim.set_faults(invalid_grant=True)
    assert requests.post(url, data=FORM, timeout=5).status_code == 400
    sim.set_faults(invalid_grant=False, invalid_client=True)
    assert requests.post(url, data=FORM, timeout=5).status_code == 401
    assert [r.status for r in sim.requests] == [200, 401, 400, 400, 401]
    assert sim.violations == []


def test_spapi_requires_a_valid_token(local_sim: Simulator) -> None:
    sim = local_sim
    path = f"{sim.url}{REPORTS}/reports?reportTypes={LISTINGS}"

    def details(headers: dict[str, str]) -> str:
        reply = requests.get(path, headers=headers, timeout=5)
        assert reply.status_code == 403
        assert reply.headers["x-amzn-RequestId"]
        assert "x-amzn-RateLimit-Limit" not in reply.headers
        error = reply.json()["errors"][0]
        assert error["code"] == "Unauthorized"
        assert error["message"] == "Access to requested resource is denied."
        return str(error["details"])

    assert details({}) == "Access token is missing in the request header."
    assert details({"x-amz-access-token": "Atza|made-up"}) == (
        "The access token you provided is revoked, malformed or invalid."
    )
    client = Client(sim)
    assert client.call("GET", f"{REPORTS}/reports", params={"reportTypes": LISTINGS}).ok
    sim.set_faults(expire_tokens=True)
    assert details({"x-amz-access-token": client.token}) == ("The access token you provided has expired.")
    # A token issued after the switch works again.
    assert Client(sim).call("GET", f"{REPORTS}/reports", params={"reportTypes": LISTINGS}).ok


def test_report_lifecycle_and_download(local_sim: Simulator) -> None:
    sim = local_sim
    client = Client(sim)
    created = client.create(ORDERS, "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")
    assert created.status_code == 202
    assert created.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    report_id = created.json()["reportId"]
    assert report_id.isdigit()
    assert int(client.create(LISTINGS).json()["reportId"]) > int(report_id)

    report, seen = client.wait(report_id)
    assert seen[-1] == "DONE"
    assert seen[0] in ("IN_QUEUE", "IN_PROGRESS")
    assert report["reportType"] == ORDERS
    assert report["marketplaceIds"] == [US]
    assert report["dataStartTime"] == "2024-01-01T00:00:00Z"
    assert report["dataEndTime"] == "2024-02-01T00:00:00Z"
    for key in ("createdTime", "processingStartTime", "processingEndTime"):
        assert report[key].endswith("Z")
    document_id = report["reportDocumentId"]
    assert document_id.startswith("amzn1.spdoc.1.4.na.")

    # All Orders is regional: the document holds every marketplace of the NA host.
    expected = sim.dataset.served_document(
        ORDERS, [US], datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc), {}
    )
    assert expected is not None
    plain = client.download(document_id)
    assert plain.status_code == 200
    assert plain.headers["Content-Encoding"] == "identity"
    assert plain.headers["Content-Type"] == expected.content_type
    assert int(plain.headers["Content-Length"]) == len(plain.content)
    assert gzip.decompress(plain.content) == expected.body

    on_the_fly = client.download(document_id, enableContentEncodingUrlHeader="true")
    assert on_the_fly.headers["Content-Encoding"] == "gzip"
    assert on_the_fly.content == expected.body  # requests decompressed it

    sim.set_faults(no_charset=True)
    assert ";" not in client.download(document_id).headers["Content-Type"]
    assert sim.violations == []


def test_empty_month_is_cancelled(local_sim: Simulator) -> None:
    sim = local_sim
    client = Client(sim)
    report_id = client.create(ORDERS, "2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z").json()["reportId"]
    report, _ = client.wait(report_id)
    assert report["processingStatus"] == "CANCELLED"
    assert "reportDocumentId" not in report


def test_create_report_input_rules(local_sim: Simulator) -> None:
    sim = local_sim
    client = Client(sim)
    future = client.create(ORDERS, "2024-01-01T00:00:00Z", "2999-01-01T00:00:00Z")
    assert future.status_code == 400
    assert future.json()["errors"][0]["code"] == "InvalidInput"
    assert future.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    assert client.create(ORDERS, "2024-02-01T00:00:00Z", "2024-01-01T00:00:00Z").status_code == 400
    assert client.create("GET_NO_SUCH_REPORT").status_code == 400
    assert sim.violations == []  # Amazon's rules, not the operation table

    too_many = client.create(LISTINGS, marketplaces=[US] * 26)
    assert too_many.status_code == 400
    missing = client.call("POST", f"{REPORTS}/reports", json={"reportType": LISTINGS})
    assert missing.status_code == 400
    as_form = client.call("POST", f"{REPORTS}/reports", data={"reportType": LISTINGS, "marketplaceIds": US})
    assert as_form.status_code == 415
    violations = sim.violations
    assert len(violations) == 3
    assert "at most 25" in violations[0]
    assert "marketplaceIds" in violations[1]
    assert "Content-Type" in violations[2]


def test_throttled_after_burst() -> None:
    with Simulator(rate_scale=1.0) as sim:
        client = Client(sim)
        statuses = [client.create(LISTINGS).status_code for _ in range(15)]
        assert statuses == [202] * 15
        throttled = client.create(LISTINGS)
        assert throttled.status_code == 429
        assert "x-amzn-RateLimit-Limit" not in throttled.headers
        assert throttled.headers["x-amzn-RequestId"]
        assert throttled.json() == {
            "errors": [
                {
                    "code": "QuotaExceeded",
                    "message": "You exceeded your quota for the requested resource.",
                    "details": "",
                }
            ]
        }
        # Other operations have their own buckets.
        assert client.call("GET", f"{REPORTS}/reports", params={"reportTypes": LISTINGS}).ok


def test_violations_for_unknown_parameter_and_path(local_sim: Simulator) -> None:
    sim = local_sim
    client = Client(sim)
    reply = client.call("GET", f"{REPORTS}/reports", params={"reportTypes": LISTINGS, "bogus": "1"})
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["code"] == "InvalidInput"
    assert reply.headers["x-amzn-RateLimit-Limit"] == "0.0222"
    bad_enum = client.call(
        "GET", f"{REPORTS}/reports", params={"reportTypes": LISTINGS, "processingStatuses": "DONE,FINE"}
    )
    assert bad_enum.status_code == 400
    unknown = client.call("GET", "/reports/2020-09-04/reports")
    assert unknown.status_code == 403
    assert unknown.json()["errors"][0]["code"] == "MissingAuthenticationToken"
    violations = sim.violations
    assert len(violations) == 3
    assert "'bogus'" in violations[0]
    assert "FINE" in violations[1]
    assert violations[2].startswith("GET /reports/2020-09-04/reports:")
    assert [r.operation for r in sim.requests][-3:] == ["getReports", "getReports", None]


def test_settlements_listed_not_created(local_sim: Simulator) -> None:
    sim = local_sim
    client = Client(sim)
    refused = client.create(SETTLEMENT)
    assert refused.status_code == 400
    assert "cannot be requested" in refused.json()["errors"][0]["message"]

    seeded = sim.settlement_reports(US)
    assert seeded
    assert all(r["processingStatus"] == "DONE" for r in seeded)
    listed: list[dict[str, Any]] = []
    page = client.call(
        "GET",
        f"{REPORTS}/reports",
        params={"reportTypes": SETTLEMENT, "marketplaceIds": US, "processingStatuses": "DONE", "pageSize": "2"},
    ).json()
    listed += page["reports"]
    while "nextToken" in page:
        reply = client.call("GET", f"{REPORTS}/reports", params={"nextToken": page["nextToken"]})
        assert reply.status_code == 200
        page = reply.json()
        listed += page["reports"]
    assert [r["reportId"] for r in listed] == [r["reportId"] for r in seeded]
    assert len(listed) > 2
    assert sim.violations == []

    first = client.call("GET", f"{REPORTS}/reports", params={"reportTypes": SETTLEMENT, "pageSize": "1"}).json()
    mixed = client.call("GET", f"{REPORTS}/reports", params={"nextToken": first["nextToken"], "pageSize": "1"})
    assert mixed.status_code == 400
    assert "nextToken" in sim.violations[-1]

    document = client.download(listed[0]["reportDocumentId"])
    assert gzip.decompress(document.content) == sim.dataset.settlement_document(listed[0]["reportId"]).body


def test_document_url_expires() -> None:
    with Simulator(processing_delay=0, document_url_ttl=0.3) as sim:
        client = Client(sim)
        report, _ = client.wait(client.create(LISTINGS).json()["reportId"])
        info = client.call("GET", f"{REPORTS}/documents/{report['reportDocumentId']}").json()
        assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in info["url"]
        assert requests.get(info["url"], timeout=5).status_code == 200
        with_token = requests.get(info["url"], headers={"x-amz-access-token": client.token}, timeout=5)
        assert with_token.status_code == 200
        assert sim.violations and "x-amz-access-token" in sim.violations[-1]
        time.sleep(0.35)
        expired = requests.get(info["url"], timeout=5)
        assert expired.status_code == 403
        assert expired.headers["Content-Type"] == "application/xml"
        assert b"<Code>AccessDenied</Code>" in expired.content
        tampered = requests.get(info["url"][:-4] + "0000", timeout=5)
        assert tampered.status_code == 403


def test_faults_throttle_server_error_fatal() -> None:
    with Simulator(processing_delay=0.03, rate_scale=100) as sim:
        _check_faults(sim)


def _check_faults(sim: Simulator) -> None:
    client = Client(sim)
    report_id = client.create(LISTINGS).json()["reportId"]
    path = f"{REPORTS}/reports/{report_id}"
    sim.set_faults(throttle={"getReport": 1}, server_error={"getReport": 2}, server_error_status=503)
    assert [client.call("GET", path).status_code for _ in range(4)] == [429, 503, 503, 200]
    error = client.call("POST", "/_sim/faults", json={"server_error": {"getReport": 1}})
    assert error.status_code == 200
    failed = client.call("GET", path)
    assert failed.status_code == 503
    assert failed.json()["errors"][0]["code"] == "ServiceUnavailable"
    assert client.call("POST", "/_sim/faults", json={"no_such": 1}).status_code == 400

    sim.set_faults(fatal={LISTINGS: 2})
    with_document, _ = client.wait(client.create(LISTINGS).json()["reportId"])
    assert with_document["processingStatus"] == "FATAL"
    error_document = client.download(with_document["reportDocumentId"])
    assert "errorDetails" in json.loads(gzip.decompress(error_document.content))
    sim.set_faults(fatal_error_document=False)
    without, _ = client.wait(client.create(LISTINGS).json()["reportId"])
    assert without["processingStatus"] == "FATAL"
    assert "reportDocumentId" not in without
    done, _ = client.wait(client.create(LISTINGS).json()["reportId"])
    assert done["processingStatus"] == "DONE"


def test_cancel_report() -> None:
    with Simulator(processing_delay=30) as sim:
        client = Client(sim)
        report_id = client.create(LISTINGS).json()["reportId"]
        cancelled = client.call("DELETE", f"{REPORTS}/reports/{report_id}")
        assert cancelled.status_code == 200
        report = client.call("GET", f"{REPORTS}/reports/{report_id}").json()
        assert report["processingStatus"] == "CANCELLED"
        again = client.call("DELETE", f"{REPORTS}/reports/{report_id}")
        assert again.status_code == 400
        missing = client.call("GET", f"{REPORTS}/reports/1")
        assert missing.status_code == 404
        assert "x-amzn-RateLimit-Limit" in missing.headers


def test_concurrent_keep_alive_requests() -> None:
    with Simulator(rate_scale=1000) as sim:
        client = Client(sim)
        report_id = client.create(LISTINGS).json()["reportId"]

        def poll(_: int) -> int:
            return client.call("GET", f"{REPORTS}/reports/{report_id}").status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(poll, range(80)))
        assert statuses == [200] * 80
        assert len(sim.requests) == 82


def test_control_routes(local_sim: Simulator) -> None:
    sim = local_sim
    client = Client(sim)
    client.call("GET", f"{REPORTS}/reports", params={"reportTypes": LISTINGS})
    recorded = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
    assert [r["path"] for r in recorded] == ["/auth/o2/token", f"{REPORTS}/reports"]
    assert recorded[1]["headers"]["x-amz-access-token"] == client.token
    assert recorded[1]["query"] == {"reportTypes": [LISTINGS]}
    assert recorded[1]["operation"] == "getReports"

    expected = requests.get(
        f"{sim.url}/_sim/expected",
        params={
            "report_type": ORDERS,
            "marketplace_id": US,
            "start": "2024-01-01T00:00:00Z",
            "end": "2024-02-01T00:00:00Z",
        },
        timeout=5,
    ).json()
    assert expected == json.loads(
        json.dumps(
            sim.expected_records(
                ORDERS, US, datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
            ),
            default=str,
        )
    )
    settlements = requests.get(f"{sim.url}/_sim/settlements", params={"marketplace_id": US}, timeout=5).json()
    assert [r["reportId"] for r in settlements["reports"]] == [r["reportId"] for r in sim.settlement_reports(US)]

    assert requests.post(f"{sim.url}/_sim/reset", timeout=5).ok
    assert sim.requests == []
    assert requests.get(f"{sim.url}/_sim/violations", timeout=5).json() == []


def test_cli_prints_ready_line() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.spapi_simulator", "--port", "0", "--fault", "invalid_client=true"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("SIMULATOR READY http://127.0.0.1:")
        url = line.split()[-1]
        assert requests.post(f"{url}/auth/o2/token", data=FORM, timeout=5).status_code == 401
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert stdout == ""
