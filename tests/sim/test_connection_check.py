"""`--test`: a connection check that costs no report, one line per check, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tap_amazon_sp.operations import APIS, OPERATIONS
from tests.conftest import make_config
from tests.spapi_simulator import Simulator
from tests.support.tap_runner import TapRun, catalog_for, report_requests, run_cli

ORDERS_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"


def check_lines(run: TapRun) -> list[str]:
    """The lines of the check, without the log prefix."""
    return [line.split("| ", 3)[3] for line in run.stderr.splitlines() if "| Connection test" in line]


def operations(sim: Simulator) -> list[str]:
    return [r.operation for r in sim.requests if r.operation]


def test_the_connection_test_of_a_seller_requests_no_report_and_says_what_each_check_proved(sim: Simulator):
    run = run_cli(make_config(sim), "--test")
    assert run.returncode == 0, run.stderr[-3000:]
    assert report_requests(sim.requests) == []
    # One call per API family of the default streams, and one token.
    assert sorted(operations(sim)) == sorted(
        [
            "getMarketplaceParticipations",
            "getReports",
            "searchOrders",
            "listFinancialEventGroups",
            "listTransactions",
            "getInventorySummaries",
            "getShipments",
        ]
    )
    assert len([r for r in sim.requests if r.path == "/auth/o2/token"]) == 1
    assert run.messages == []
    lines = check_lines(run)
    assert lines[0].startswith("Connection test: Login with Amazon accepted the client ID")
    sellers = next(line for line in lines if "Sellers API" in line)
    assert "takes part in US (ATVPDKIKX0DER), CA (A2EUQ1WTGCTBG2), MX (A1AM78C64UM0Y8)" in sellers
    assert "not in BR (A2Q3Y263D00KWC)" in sellers and "every configured marketplace is reached" in sellers
    assert any(
        line.startswith("Connection test: Orders API answered searchOrders for order_items, orders") for line in lines
    )
    assert lines[-1].startswith("Connection test passed: 8 checks (7 SP-API requests, 1 Login with Amazon request")
    for secret in (sim.credentials.client_secret, sim.credentials.refresh_token):
        assert secret not in run.output


def test_streams_whose_role_the_app_lacks_are_named_and_the_test_fails(sim: Simulator):
    sim.set_faults(no_role=["listFinancialEventGroups", "listTransactions"])
    run = run_cli(make_config(sim), "--test")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 3, run.stderr
    assert "Finances API v0 refused the token for financial_event_groups, financial_events" in errors[0]
    assert "the app lacks the Finance and Accounting role" in errors[0] and "deselect these streams" in errors[0]
    assert "Finances API 2024-06-19 refused the token for financial_transactions" in errors[1]
    assert "Connection test failed: 2 of 8 checks" in errors[2]
    # The other checks still ran, and passed.
    assert "Orders API answered searchOrders" in run.stderr
    assert report_requests(sim.requests) == []


def test_a_configured_marketplace_the_account_does_not_sell_in_fails_the_test(sim: Simulator):
    run = run_cli(make_config(sim, marketplace_ids=["US", "BR"]), "--test")
    assert run.returncode == 1
    line = next(line for line in check_lines(run) if "Sellers API" in line)
    assert "configured but not reached: BR (A2Q3Y263D00KWC)" in line


def test_refused_credentials_are_one_line_and_nothing_else_is_called(sim: Simulator):
    sim.set_faults(invalid_client=True)
    run = run_cli(make_config(sim), "--test")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = check_lines(run)
    assert len(lines) == 2 and "invalid_client" in lines[0], run.stderr
    assert operations(sim) == []
    # The refused token request is counted: it was sent, and answered.
    assert [r.path for r in sim.requests] == ["/auth/o2/token"]
    assert "(0 SP-API requests, 1 Login with Amazon request; no report requested)" in lines[1], lines[1]


def test_the_test_checks_only_the_apis_of_the_streams_the_catalog_selects(sim: Simulator, tmp_path: Path):
    config = make_config(sim)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(config, [ORDERS_REPORT])), encoding="utf-8")
    run = run_cli(config, "--catalog", str(catalog), "--test")
    assert run.returncode == 0, run.stderr[-3000:]
    assert operations(sim) == ["getMarketplaceParticipations", "getReports"]
    getreports = next(r for r in sim.requests if r.operation == "getReports")
    assert getreports.query["reportTypes"] == [ORDERS_REPORT] and getreports.query["pageSize"] == ["1"]
    assert "for 1 selected report stream;" in run.stderr


@pytest.mark.parametrize("value", ["al", "record"])
def test_an_unknown_test_mode_is_a_usage_error(sim: Simulator, value: str):
    run = run_cli(make_config(sim), f"--test={value}")
    assert run.returncode == 2
    assert "--test=records" in run.stderr and "Traceback" not in run.stderr
    assert sim.requests == []


def test_every_api_the_tap_calls_has_a_name_for_the_check_lines():
    # A 403 line names the API and the role the app lacks: an API without its row in APIS would be
    # named by its model file and say only "the role they need".
    assert {op.api for op in OPERATIONS.values()} <= set(APIS)
