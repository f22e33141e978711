"""Secrets stay secret whatever fails; tokens go only where they belong; transport stays verified.

After every test, tests/conftest.py searches everything the test's tap runs printed (stdout with
its STATE messages, stderr, the tracebacks of in-process failures) for every secret any simulator
of the process knows or handed out; the last two tests here show that search working.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tap_amazon_sp.client import Runtime
from tap_amazon_sp.settings import SettingsError, load_settings
from tap_amazon_sp.tap import STREAM_NAMES
from tests.conftest import make_config
from tests.sim.test_faults import catalog_file
from tests.spapi_simulator import Simulator, every_issued_secret
from tests.support.tap_runner import CAPTURED, TapRun, run_cli, run_tap, secrets_in

PACKAGE = Path(__file__).resolve().parents[2] / "tap_amazon_sp"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
END = "2024-03-01T00:00:00Z"

# Ways Python code turns certificate checks off.
UNVERIFIED = re.compile(
    r"verify\s*=\s*(False|0|None)\b|CERT_NONE|check_hostname\s*=\s*False|_create_unverified_context"
    r"|disable_warnings|InsecureRequestWarning|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|\.verify\s*="
)


def test_tls_verification_is_never_turned_off_in_the_code():
    assert UNVERIFIED.search("session.get(url, verify=False)"), "the pattern itself must catch the usual spelling"
    sources = sorted(PACKAGE.glob("*.py"))
    assert len(sources) > 10
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if UNVERIFIED.search(line)
    ]
    assert found == []


def test_the_tap_session_verifies_certificates(sim: Simulator):
    settings = load_settings(make_config(sim), known_streams=STREAM_NAMES)
    session = Runtime.build(settings, logging.getLogger("test")).client.session
    assert session.verify is True
    # What requests would actually use for an https request, environment included.
    merged = session.merge_environment_settings("https://sellingpartnerapi-na.amazon.com", {}, None, True, None)
    assert merged["verify"] not in (False, None, "")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://sellingpartnerapi-eu.amazon.com", True),
        ("https://proxy.example.com:8443/spapi", True),
        ("http://127.0.0.1:8765", True),
        ("http://127.5.6.7", True),
        ("http://[::1]:8765", True),
        ("http://localhost:8765", True),
        ("http://sellingpartnerapi-na.amazon.com", False),
        ("http://10.0.0.1", False),
        ("http://localhost.example.com", False),
        ("http://127.0.0.1.nip.io", False),
        ("ftp://127.0.0.1", False),
        ("//sellingpartnerapi-na.amazon.com", False),
    ],
)
def test_override_urls_must_be_https_except_on_loopback(url: str, allowed: bool):
    base = {"lwa_client_id": "id", "lwa_client_secret": "s", "refresh_token": "r"}
    for setting in ("sp_api_url", "lwa_token_url"):
        if allowed:
            assert load_settings({**base, setting: url}, known_streams=STREAM_NAMES)
        else:
            with pytest.raises(SettingsError) as refused:
                load_settings({**base, setting: url}, known_streams=STREAM_NAMES)
            assert refused.value.setting == setting


def test_a_document_url_that_is_not_https_is_never_fetched(sim: Simulator):
    sim.set_faults(insecure_document_url=True)
    run = run_tap(make_config(sim, end_date=END), streams=[ALL_ORDERS])
    assert run.error is not None
    message = str(run.error)
    assert "which is not https; refusing to download it" in message
    assert "http://documents.example.invalid/_documents/" in message and "X-Amz" not in message
    assert run.records(ALL_ORDERS) == []
    # Refused before any connection, and not asked for again and again.
    assert [r.operation for r in sim.requests].count("getReportDocument") == 1


def test_tokens_and_credentials_go_only_where_they_belong(sim: Simulator):
    # Downloads that expire and break off make the tap fetch documents several times.
    sim.set_faults(expired_document_url={ALL_ORDERS: 1}, break_document={ALL_ORDERS: 1})
    run = run_tap(make_config(sim, end_date=END), streams=[ALL_ORDERS])
    assert run.error is None, run.stderr
    credentials = (sim.credentials.client_secret, sim.credentials.refresh_token)
    downloads = [r for r in sim.requests if r.path.startswith("/_documents/")]
    assert len(downloads) >= 3
    for request in sim.requests:
        where = f"{request.method} {request.path}"
        seen = request.body.decode("utf-8", "replace") + repr(request.headers) + repr(request.query)
        if request.path == "/auth/o2/token":
            assert "x-amz-access-token" not in request.headers, where
            continue
        # The client secret and refresh token travel only to Login with Amazon.
        assert not any(secret in seen for secret in credentials), where
        if request.path.startswith("/_documents/"):
            assert "x-amz-access-token" not in request.headers and "authorization" not in request.headers, where
        else:
            assert request.headers["x-amz-access-token"].startswith("Atza|"), where


def test_debug_logging_does_not_print_presigned_urls(sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LOGLEVEL", "DEBUG")
    run = run_cli(make_config(sim, end_date=END), "--catalog", catalog_file(sim, tmp_path))
    assert run.returncode == 0, run.stderr[-3000:]
    # urllib3 did log the requests, with their query strings hidden.
    assert '"GET /_documents/' in run.stderr and "?<hidden>" in run.stderr
    assert "X-Amz-Signature" not in run.output
    assert not any(secret in run.output for secret in sim.issued_secrets())


def failing_runs(sim: Simulator) -> list[TapRun]:
    """A few syncs that fail in the ways most likely to print a secret, so that this test means
    something even when it runs alone."""
    runs = []
    for faults, config in (
        ({"invalid_client": True}, {}),
        ({"invalid_grant": True}, {}),
        ({"fatal": {ALL_ORDERS: 5}}, {"fatal_report_retries": 0}),
        ({"truncate_document": {ALL_ORDERS: 10}}, {}),
        (
            {"reset_connection": {"document": 10}, "hang": {"lwa": 1}, "hang_seconds": 0.5},
            {"request_timeout_seconds": 0.2},
        ),
        ({"document_mutation": {ALL_ORDERS: "invalid_bytes"}}, {}),
    ):
        sim.reset()
        sim.set_faults(**faults)
        run = run_tap(make_config(sim, end_date=END, **config), streams=[ALL_ORDERS])
        assert run.error is not None
        runs.append(run)
    return runs


def test_the_failures_most_likely_to_print_a_secret_print_none(simulator: Simulator):
    secrets = every_issued_secret()
    for run in failing_runs(simulator):
        assert secrets_in(run, secrets) == []
    simulator.reset()


def test_each_tests_runs_are_searched_for_the_secrets_of_every_simulator(sim: Simulator):
    with Simulator(seed=5, rows=20, processing_delay=0.01, rate_scale=2000) as other:
        run = run_tap(make_config(other, end_date=END), streams=[ALL_ORDERS])
        assert run.returncode == 0, run.stderr[-2000:]
        token = next(secret for secret in other.issued_secrets() if secret.startswith("Atza|"))
        signature = next(secret for secret in other.issued_secrets() if re.fullmatch(r"[0-9a-f]{64}", secret))
    # The other simulator is stopped: its secrets are still searched for, as the live one's are.
    secrets = every_issued_secret()
    assert {token, signature, sim.credentials.client_secret} <= set(secrets)
    planted = TapRun(f"x{token}x", f"...&X-Amz-Signature={signature}")
    assert sorted(secrets_in(planted, secrets)) == sorted([token[:6] + "...", signature[:6] + "...", "X-Amz-Signature"])
    # The autouse search would fail this test on the planted run: it is taken back.
    CAPTURED.remove(planted)
    assert run in CAPTURED and secrets_in(run, secrets) == []
