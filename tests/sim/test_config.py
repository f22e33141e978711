"""Bad settings fail before any request: one line naming the setting, non-zero exit, no traceback."""

from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import START, make_config
from tests.spapi_simulator import Simulator
from tests.support.expectations import expected, strip_added
from tests.support.tap_runner import TapRun, catalog_for, report_requests, run_cli, run_tap

ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
BAD_CONFIGS: list[tuple[str, dict[str, Any], str]] = [
    # Enums
    ("unknown region", {"region": "XX"}, "region"),
    ("region that is not a string", {"region": 1}, "region"),
    ("unknown environment", {"aws_environment": "STAGING"}, "aws_environment"),
    ("unknown account type", {"account_type": "Buyer"}, "account_type"),
    # Dates and windows
    ("unparseable start date", {"start_date": "last tuesday"}, "start_date"),
    ("unparseable end date", {"end_date": "2024-13-45"}, "end_date"),
    ("start date that is a number", {"start_date": 20240101}, "start_date"),
    ("end date that is a boolean", {"end_date": True}, "end_date"),
    ("end before start", {"start_date": "2024-05-01T00:00:00Z", "end_date": "2024-04-01T00:00:00Z"}, "end_date"),
    ("end equal to start", {"start_date": "2024-05-01T00:00:00Z", "end_date": "2024-05-01T00:00:00Z"}, "end_date"),
    ("start date in the future", {"start_date": "2999-01-01T00:00:00Z"}, "start_date"),
    ("period zero", {"period_in_days": 0}, "period_in_days"),
    ("period too long", {"period_in_days": 400}, "period_in_days"),
    ("period not a number", {"period_in_days": "ninety"}, "period_in_days"),
    ("period with a fraction", {"period_in_days": 7.5}, "period_in_days"),
    ("period in a list", {"period_in_days": [30]}, "period_in_days"),
    ("period with a fraction written whole", {"period_in_days": 30.0}, "period_in_days"),
    # Other types and ranges
    ("wait between requests that is not a boolean", {"wait_between_requests": "sometimes"}, "wait_between_requests"),
    ("maximum report wait of zero", {"max_report_wait_seconds": 0}, "max_report_wait_seconds"),
    ("maximum report wait as text", {"max_report_wait_seconds": "an hour"}, "max_report_wait_seconds"),
    ("too many FATAL retries", {"fatal_report_retries": 11}, "fatal_report_retries"),
    ("negative FATAL cool-down", {"fatal_retry_cooldown_seconds": -1}, "fatal_retry_cooldown_seconds"),
    ("request timeout of zero", {"request_timeout_seconds": 0}, "request_timeout_seconds"),
    ("progress heartbeat of zero", {"progress_interval_seconds": 0}, "progress_interval_seconds"),
    ("maximum report wait with a fraction", {"max_report_wait_seconds": 90.5}, "max_report_wait_seconds"),
    ("account type that is not text", {"account_type": 1}, "account_type"),
    ("negative retry base", {"retry_base_seconds": -1}, "retry_base_seconds"),
    # Report options
    (
        "report options for an unknown stream",
        {"report_options": [{"stream_name": "NOPE", "options": {}}]},
        "report_options",
    ),
    (
        "airbyte report options for an unknown stream",
        {"report_options_list": [{"stream_name": "NOPE", "options_list": [{"option_name": "a", "option_value": "b"}]}]},
        "report_options",
    ),
    ("report options that are not a list", {"report_options": {ALL_ORDERS: {"a": "b"}}}, "report_options"),
    ("report options without a stream name", {"report_options": [{"options": {"a": "b"}}]}, "report_options"),
    (
        "report options that are not name: value",
        {"report_options": [{"stream_name": ALL_ORDERS, "options": ["a"]}]},
        "report_options",
    ),
    (
        "airbyte report options that are a number",
        {"report_options_list": 1},
        "report_options_list",
    ),
    (
        "airbyte options of a stream that are not a list",
        {"report_options_list": [{"stream_name": ALL_ORDERS, "options_list": "ShowSalesChannel=true"}]},
        "report_options",
    ),
    ("report options without options", {"report_options": [{"stream_name": ALL_ORDERS}]}, "report_options"),
    # URLs
    ("plain http override off loopback", {"sp_api_url": "http://example.com"}, "sp_api_url"),
    ("plain http token url off loopback", {"lwa_token_url": "http://10.1.2.3/auth/o2/token"}, "lwa_token_url"),
    ("override that is not a URL", {"sp_api_url": "sellingpartnerapi-na"}, "sp_api_url"),
    ("override on ftp", {"sp_api_url": "ftp://127.0.0.1/"}, "sp_api_url"),
    ("plain http on a host named like localhost", {"sp_api_url": "http://localhost.example.com"}, "sp_api_url"),
    ("plain http on a name that resolves to loopback", {"lwa_token_url": "http://127.0.0.1.nip.io/t"}, "lwa_token_url"),
    # Marketplaces
    ("marketplace of another region", {"region": "US", "marketplace_ids": ["A1PA6795UKMFR9"]}, "marketplace_ids"),
    (
        "far-east marketplace under an EU region",
        {"region": "DE", "marketplace_ids": ["A1VC38T7YXB528"]},
        "marketplace_ids",
    ),
    ("country code of another region", {"region": "US", "marketplace_ids": ["UK"]}, "marketplace_ids"),
    ("unknown marketplace", {"marketplace_ids": ["NOTAMARKET"]}, "marketplace_ids"),
    ("marketplaces as one string", {"marketplace_ids": "ATVPDKIKX0DER"}, "marketplace_ids"),
    # Secrets and credentials
    ("missing client secret", {"lwa_client_secret": None}, "lwa_client_secret"),
    ("empty client secret", {"lwa_client_secret": ""}, "lwa_client_secret"),
    ("missing refresh token", {"refresh_token": None}, "refresh_token"),
    ("empty refresh token", {"refresh_token": "  "}, "refresh_token"),
    ("missing client id", {"lwa_client_id": None}, "lwa_client_id"),
    ("empty client id", {"lwa_client_id": ""}, "lwa_client_id"),
]


@pytest.fixture(scope="module")
def bad_config_runs(simulator: Simulator) -> dict[str, tuple[TapRun, list[str]]]:
    """Every bad config through the real CLI, a few at a time; each case's requests, if it made any.

    Each case talks to the simulator under its own path prefix, so a request is traced to its case.
    """
    simulator.reset()

    def one(index: int, change: dict[str, Any]) -> TapRun:
        base = f"{simulator.url}/case{index}"
        config = make_config(simulator, sp_api_url=base, lwa_token_url=f"{base}/auth/o2/token")
        config.update(change)
        return run_cli({k: v for k, v in config.items() if v is not None})

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = [pool.submit(one, i, change) for i, (_case, change, _setting) in enumerate(BAD_CONFIGS)]
        runs = [f.result() for f in futures]
    requests = [r.path for r in simulator.requests]
    simulator.reset()
    return {
        case: (run, [p for p in requests if p.startswith(f"/case{i}/")])
        for i, ((case, _change, _setting), run) in enumerate(zip(BAD_CONFIGS, runs, strict=True))
    }


def test_there_are_at_least_twenty_bad_configs():
    assert len(BAD_CONFIGS) >= 20
    assert len({case for case, _, _ in BAD_CONFIGS}) == len(BAD_CONFIGS)


@pytest.mark.parametrize(("case", "change", "setting"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_fails_with_one_line_naming_the_setting_and_no_request(
    simulator: Simulator,
    bad_config_runs: dict[str, tuple[TapRun, list[str]]],
    case: str,
    change: dict[str, Any],
    setting: str,
):
    run, requests = bad_config_runs[case]
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line and "Config validation failed" not in line]
    assert len(errors) == 1, run.stderr
    assert errors[0].split("|", 3)[3].strip().startswith(f"{setting}:"), errors[0]
    assert requests == []
    assert run.messages == []
    for secret in (simulator.credentials.client_secret, simulator.credentials.refresh_token):
        assert secret not in run.output


def test_airbyte_config_keys_work_unchanged(sim: Simulator):
    config = make_config(sim, end_date=None, start_date=None, lwa_client_id=None)
    config = {k: v for k, v in config.items() if v is not None}
    config.update(
        {
            "lwa_app_id": sim.credentials.client_id,
            "replication_start_date": "2024-01-01T00:00:00Z",
            "replication_end_date": "2024-02-01T00:00:00Z",
            "wait_to_avoid_fatal_errors": False,
            "report_options_list": [
                {
                    "stream_name": "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
                    "options_list": [{"option_name": "ShowSalesChannel", "option_value": "true"}],
                }
            ],
        }
    )
    run = run_tap(config, streams=["GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"])
    assert run.error is None, run.stderr
    assert run.records()

    bodies = report_requests(sim.requests)
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


# ---- settings given as text: environment variables (`--config ENV`) and what Meltano passes ----

ORDERS_WINDOWS_END = "2024-03-01T00:00:00Z"
# Every number and boolean setting of the tap, as text, each with a value whose effect shows.
TEXT_SETTINGS = {
    "period_in_days": "10",
    "lookback_days": "0",
    "catalog_refresh_days": "3",
    "max_reports_in_flight": "3",
    "max_report_wait_seconds": "600",
    "fatal_report_retries": "1",
    "fatal_retry_cooldown_seconds": "0.05",
    # The FATAL one waits out its cool-down (0.05 s, less than this) at the end of the sync.
    "max_cooldown_wait_seconds": "0.5",
    "fba_near_real_time_cooldown_seconds": "1800",
    "fba_daily_cooldown_seconds": "14400",
    "report_reuse_max_age_hours": "0",
    "request_timeout_seconds": "30.5",
    "retry_base_seconds": "0.01",
    "progress_interval_seconds": "30.5",
    "wait_between_requests": "false",
    "include_pii": "false",
    "newest_first": "false",
}


def test_every_number_and_boolean_setting_is_given_as_text_in_the_text_settings_test():
    from tap_amazon_sp.settings import ALIASES, TYPED_SETTINGS

    assert set(TEXT_SETTINGS) == set(TYPED_SETTINGS) - set(ALIASES)


@pytest.mark.parametrize("given_by", ["environment", "config file"])
def test_number_and_boolean_settings_given_as_text_are_read_as_such(sim: Simulator, given_by: str):
    # One FATAL report: retried once (fatal_report_retries "1") after a cool-down of 0.05 s.
    sim.set_faults(fatal={ALL_ORDERS: 1})
    config = make_config(sim, end_date=ORDERS_WINDOWS_END)
    for name in TEXT_SETTINGS:
        config.pop(name, None)
    catalog = ("--catalog", _catalog_file(config, [ALL_ORDERS]))
    if given_by == "environment":
        env = {f"TAP_AMAZON_SP_{name.upper()}": value for name, value in TEXT_SETTINGS.items()}
        run = run_cli(config, "--config", "ENV", *catalog, env=env)
    else:
        run = run_cli({**config, **TEXT_SETTINGS}, *catalog)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    created = [r for r in sim.requests if r.operation == "createReport" and r.status == 202]
    bodies = [json.loads(r.body) for r in created]
    windows = {(b["dataStartTime"], b["dataEndTime"]) for b in bodies}
    # Windows of 10 days (period_in_days "10"), the FATAL one requested twice.
    assert len(windows) == 6 and len(bodies) == 7
    assert ("2024-01-01T00:00:00Z", "2024-01-11T00:00:00Z") in windows
    assert "retry 1 of 1" in run.stderr
    # newest_first "false": oldest first, the first window the 2024-01-01 one.
    want = expected(sim, ALL_ORDERS, "ATVPDKIKX0DER", START, ORDERS_WINDOWS_END, period=10, newest_first=False)
    assert want and [strip_added(r) for r in run.records(ALL_ORDERS)] == want
    assert bodies[0]["dataStartTime"] == START.replace("+00:00", "Z")


def _catalog_file(config: dict[str, Any], streams: list[str]) -> str:
    path = Path(tempfile.mkdtemp(prefix="catalog-")) / "catalog.json"
    path.write_text(json.dumps(catalog_for(config, streams)), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PERIOD_IN_DAYS", "ninety"),
        ("MAX_REPORTS_IN_FLIGHT", "many"),
        ("INCLUDE_PII", "maybe"),
        ("RETRY_BASE_SECONDS", "fast"),
        ("FATAL_REPORT_RETRIES", "2.5"),
    ],
)
def test_a_bad_setting_in_the_environment_is_one_line_naming_it(sim: Simulator, variable: str, value: str):
    run = run_cli(make_config(sim), "--config", "ENV", env={f"TAP_AMAZON_SP_{variable}": value})
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line and "Config validation failed" not in line]
    assert len(errors) == 1 and errors[0].split("|", 3)[3].strip().startswith(f"{variable.lower()}:"), run.stderr
    assert sim.requests == []


def test_max_reports_in_flight_auto_written_out_is_refused_in_one_line_that_says_to_leave_it_unset(sim: Simulator):
    # "Default: auto" in its description: a user writes the word, in Meltano or the environment.
    run = run_cli(make_config(sim), "--config", "ENV", env={"TAP_AMAZON_SP_MAX_REPORTS_IN_FLIGHT": "auto"})
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line and "Config validation failed" not in line]
    assert len(errors) == 1 and "max_reports_in_flight:" in errors[0] and "unset for auto" in errors[0], run.stderr
    assert sim.requests == []


def test_a_list_setting_in_the_environment_that_is_not_json_is_one_line_naming_the_variable(sim: Simulator):
    variable = "TAP_AMAZON_SP_REPORT_OPTIONS"
    run = run_cli(
        make_config(sim), "--config", "ENV", env={variable: '[{"stream_name": "GET_SALES_AND_TRAFFIC_REPORT",'}
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, run.stderr
    assert f"environment variable {variable} (report_options) is not a JSON list: " in errors[0]
    assert sim.requests == []


def test_credentials_with_surrounding_spaces_are_trimmed(sim: Simulator):
    # As pasted from Seller Central into a .env file or a secrets manager.
    credentials = sim.credentials
    config = make_config(
        sim,
        end_date="2024-01-15T00:00:00Z",
        lwa_client_secret=f" {credentials.client_secret}\n",
        refresh_token=f"{credentials.refresh_token} ",
        lwa_client_id=f"\t{credentials.client_id}",
    )
    run = run_cli(config, "--catalog", _catalog_file(config, [ALL_ORDERS]))
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records(ALL_ORDERS)


def test_a_sync_that_needs_hundreds_of_reports_says_how_long_the_quota_makes_it(sim: Simulator):
    # One report a day for 100 days: 15 at once, then one a minute for the other 85.
    config = make_config(sim, period_in_days=1, end_date="2024-04-10T00:00:00Z")
    run = run_cli(config, "--catalog", _catalog_file(config, [ALL_ORDERS]))
    assert run.returncode == 0, run.stderr[-2000:]
    warnings = [line for line in run.stderr.splitlines() if "WARNING" in line and "reports" in line]
    assert len(warnings) == 1, run.stderr[-3000:]
    assert "needs up to 100 reports (1 stream, 1 marketplace)" in warnings[0]
    assert "about 1 h 25 min" in warnings[0] and "period_in_days" in warnings[0]
    assert len({b["dataStartTime"] for b in report_requests(sim.requests)}) == 100
    # A month in windows of 30 days: no warning.
    few = run_cli(make_config(sim, end_date="2024-02-01T00:00:00Z"), "--catalog", _catalog_file(config, [ALL_ORDERS]))
    assert few.returncode == 0 and "needs up to" not in few.stderr


# ---- what --about says of each setting is what the tap does ----

CREDENTIALS = {"lwa_client_id": "amzn1.application-oa2-client.x", "lwa_client_secret": "s", "refresh_token": "Atzr|t"}


def _load(**changes: Any) -> Any:
    from tap_amazon_sp.settings import load_settings
    from tap_amazon_sp.tap import STREAM_NAMES

    return load_settings({**CREDENTIALS, **changes}, known_streams=STREAM_NAMES)


def _refused(**changes: Any) -> str:
    from tap_amazon_sp.settings import SettingsError

    with pytest.raises(SettingsError) as refused:
        _load(**changes)
    return refused.value.setting


def _about_settings() -> dict[str, dict[str, Any]]:
    from tap_amazon_sp.settings import AIRBYTE_NAMES
    from tap_amazon_sp.tap import TapAmazonSP

    properties = TapAmazonSP.config_jsonschema["properties"]
    return {name: prop for name, prop in properties.items() if name not in AIRBYTE_NAMES}


def test_every_bound_about_states_is_the_one_the_tap_keeps():
    bounded = 0
    for name, prop in _about_settings().items():
        whole = "integer" in prop["type"]
        step = 1 if whole else 0.001
        if "minimum" in prop:
            assert _load(**{name: prop["minimum"]}), name
            assert _refused(**{name: prop["minimum"] - step}) == name
            bounded += 1
        if "exclusiveMinimum" in prop:
            assert _refused(**{name: prop["exclusiveMinimum"]}) == name
            assert _load(**{name: prop["exclusiveMinimum"] + step}), name
            bounded += 1
        if "maximum" in prop:
            assert _load(**{name: prop["maximum"]}), name
            assert _refused(**{name: prop["maximum"] + step}) == name
            bounded += 1
    assert bounded >= 15


def test_every_value_about_lists_is_taken_and_no_other():
    listed = {name: prop["enum"] for name, prop in _about_settings().items() if "enum" in prop}
    assert set(listed) == {"aws_environment", "region", "account_type"}
    for name, values in listed.items():
        for value in values:
            assert _load(**{name: value}), (name, value)
            assert _load(**{name: value.lower()}), (name, value)
        assert _refused(**{name: "XX-NOT-LISTED"}) == name


# How a sync sees each setting that has a default, stated apart from the settings table.
USED_AS: dict[str, Any] = {
    "aws_environment": lambda s: "SANDBOX" if s.sandbox else "PRODUCTION",
    "region": lambda s: {("NA", ("ATVPDKIKX0DER",)): "US"}.get((s.region, s.marketplace_ids)),
    **{
        name: attrgetter(field)
        for name, field in {
            "account_type": "account_type",
            "account_id": "account_id",
            "period_in_days": "period_days",
            "wait_between_requests": "wait_between_requests",
            "lookback_days": "lookback_days",
            "catalog_refresh_days": "catalog_refresh_days",
            "include_pii": "include_pii",
            "newest_first": "newest_first",
            "report_reuse_max_age_hours": "report_reuse_max_age_hours",
            "max_report_wait_seconds": "max_report_wait",
            "fatal_report_retries": "fatal_retries",
            "fatal_retry_cooldown_seconds": "fatal_cooldown",
            "fba_near_real_time_cooldown_seconds": "fba_near_real_time_cooldown",
            "fba_daily_cooldown_seconds": "fba_daily_cooldown",
            "max_cooldown_wait_seconds": "max_cooldown_wait",
            "request_timeout_seconds": "request_timeout",
            "retry_base_seconds": "retry_base",
            "progress_interval_seconds": "progress_interval",
        }.items()
    },
}


def test_the_defaults_about_states_are_the_ones_a_sync_uses():
    about = _about_settings()
    defaults = {name: prop["default"] for name, prop in about.items() if "default" in prop}
    assert set(defaults) == set(USED_AS)
    for name, default in defaults.items():
        # Left out, or (but for a list of values, which null is not in) given as null.
        runs = [_load()] if "enum" in about[name] else [_load(), _load(**{name: None})]
        for settings in runs:
            assert USED_AS[name](settings) == default, name
