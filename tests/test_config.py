"""Bad settings fail before any request: one line naming the setting, non-zero exit, no traceback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.tap_runner import run_cli, run_tap

BAD_CONFIGS: list[tuple[str, dict[str, Any], str]] = [
    ("unknown region", {"region": "XX"}, "region"),
    ("unparseable start date", {"start_date": "last tuesday"}, "start_date"),
    ("unparseable end date", {"end_date": "2024-13-45"}, "end_date"),
    ("end before start", {"start_date": "2024-05-01T00:00:00Z", "end_date": "2024-04-01T00:00:00Z"}, "end_date"),
    ("period zero", {"period_in_days": 0}, "period_in_days"),
    ("period too long", {"period_in_days": 400}, "period_in_days"),
    ("period not a number", {"period_in_days": "ninety"}, "period_in_days"),
    ("report options for an unknown stream", {"report_options": [{"stream_name": "NOPE", "options": {}}]},
     "report_options"),
    ("airbyte report options for an unknown stream",
     {"report_options_list": [{"stream_name": "NOPE", "options_list": [{"option_name": "a", "option_value": "b"}]}]},
     "report_options"),
    ("plain http override off loopback", {"sp_api_url": "http://example.com"}, "sp_api_url"),
    ("plain http token url off loopback", {"lwa_token_url": "http://10.1.2.3/auth/o2/token"}, "lwa_token_url"),
    ("override that is not a URL", {"sp_api_url": "sellingpartnerapi-na"}, "sp_api_url"),
    ("marketplace of another region", {"region": "US", "marketplace_ids": ["A1PA6795UKMFR9"]}, "marketplace_ids"),
    ("unknown marketplace", {"marketplace_ids": ["NOTAMARKET"]}, "marketplace_ids"),
    ("missing client secret", {"lwa_client_secret": None}, "lwa_client_secret"),
    ("empty refresh token", {"refresh_token": "  "}, "refresh_token"),
    ("missing client id", {"lwa_client_id": None}, "lwa_client_id"),
    ("unknown environment", {"aws_environment": "STAGING"}, "aws_environment"),
    ("unknown account type", {"account_type": "Buyer"}, "account_type"),
    ("start date in the future", {"start_date": "2999-01-01T00:00:00Z"}, "start_date"),
]


@pytest.mark.parametrize(("case", "change", "setting"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_fails_with_one_line_naming_the_setting_and_no_request(
    sim: Simulator, case: str, change: dict[str, Any], setting: str
):
    config = make_config(sim)
    config.update(change)
    config = {k: v for k, v in config.items() if v is not None}
    run = run_cli(config)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line and "Config validation failed" not in line]
    assert len(errors) == 1, run.stderr
    assert setting in errors[0]
    assert sim.requests == []
    for secret in (sim.credentials.client_secret, sim.credentials.refresh_token):
        assert secret not in run.output


def test_airbyte_config_keys_work_unchanged(sim: Simulator):
    config = make_config(sim, end_date=None, start_date=None, lwa_client_id=None)
    config = {k: v for k, v in config.items() if v is not None}
    config.update({
        "lwa_app_id": sim.credentials.client_id,
        "replication_start_date": "2024-01-01T00:00:00Z",
        "replication_end_date": "2024-02-01T00:00:00Z",
        "wait_to_avoid_fatal_errors": False,
        "report_options_list": [{
            "stream_name": "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            "options_list": [{"option_name": "ShowSalesChannel", "option_value": "true"}],
        }],
    })
    run = run_tap(config, streams=["GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"])
    assert run.error is None, run.stderr
    assert run.records()
    import json

    bodies = [json.loads(r.body) for r in sim.requests if r.operation == "createReport"]
    assert bodies[0]["reportOptions"] == {"ShowSalesChannel": "true"}
    assert bodies[-1]["dataEndTime"] == "2024-02-01T00:00:00Z"


def test_a_secret_of_the_wrong_type_is_not_echoed(sim: Simulator):
    config = make_config(sim, refresh_token=123456789)
    run = run_cli(config)
    assert run.returncode != 0
    assert "123456789" not in run.output
    assert "refresh_token" in run.stderr


def test_refused_refresh_token_ends_the_sync_with_a_plain_message_and_no_retry(sim: Simulator):
    run = run_cli(make_config(sim, refresh_token="Atzr|revoked"))
    assert run.returncode != 0
    assert "invalid_grant" in run.stderr and "Re-authorize" in run.stderr
    assert len([r for r in sim.requests if r.path == "/auth/o2/token"]) == 1
    assert "Atzr|revoked" not in run.output


def test_refused_client_ends_the_sync_with_a_plain_message(sim: Simulator):
    run = run_cli(make_config(sim, lwa_client_secret="wrong-secret-value"))
    assert run.returncode != 0
    assert "invalid_client" in run.stderr and "lwa_client_secret" in run.stderr
    assert "wrong-secret-value" not in run.output
    assert len([r for r in sim.requests if r.path == "/auth/o2/token"]) == 1


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        ({"max_reports_in_flight": 0}, "max_reports_in_flight"),
        ({"max_reports_in_flight": "many"}, "max_reports_in_flight"),
        ({"report_reuse_max_age_hours": -1}, "report_reuse_max_age_hours"),
    ],
)
def test_bad_in_flight_and_reuse_settings_fail_before_any_request(sim: Simulator, change: dict[str, Any], setting: str):
    run = run_cli({**make_config(sim), **change})
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line and "Config validation failed" not in line]
    assert len(errors) == 1 and setting in errors[0], run.stderr
    assert sim.requests == []
