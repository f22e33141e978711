"""Secrets stay secret: nothing the tap prints or keeps carries a credential or a signed URL."""

from __future__ import annotations

import json

from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import run_cli, run_tap

ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"


def secrets_seen(sim: Simulator) -> set[str]:
    """The credentials in play and every access token and URL signature the simulator handed out."""
    found = {sim.credentials.client_secret, sim.credentials.refresh_token}
    for request in sim.requests:
        token = request.headers.get("x-amz-access-token")
        if token:
            found.add(token)
        found.update(request.query.get("X-Amz-Signature", []))
    return {s for s in found if s}


def test_no_secret_in_output_state_or_errors_of_a_sync_with_faults(sim: Simulator):
    sim.set_faults(
        throttle={"getReport": 1}, server_error={"getReportDocument": 1}, fatal={ALL_ORDERS: 1}, token_ttl=1.0
    )
    run = run_tap(make_config(sim, end_date="2024-03-01T00:00:00Z"), streams=[ALL_ORDERS])
    assert run.error is None, run.stderr
    sim.set_faults(fatal={ALL_ORDERS: 9})
    failed = run_cli(make_config(sim, start_date="2024-03-01T00:00:00Z", fatal_report_retries=0))
    assert failed.returncode != 0
    secrets = secrets_seen(sim)
    assert len(secrets) >= 4  # client secret, refresh token, access tokens, document signatures
    everything = run.output + str(run.error) + json.dumps(run.states) + failed.output
    leaked = [s for s in secrets if s in everything]
    assert leaked == []
