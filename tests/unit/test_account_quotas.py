"""Amazon meters each selling account (and application) on its own, and so does the tap: its usage
plans and its Login with Amazon token belong to one tap, i.e. one account, never to the process.
So accounts synced in parallel (one `meltano run` each, or several taps in one process) never wait
for each other's quota; `python -m bench accounts` measures the wall time that gives."""

from __future__ import annotations

import ast
from pathlib import Path

from tap_amazon_sp.operations import OPERATIONS
from tap_amazon_sp.ratelimit import TokenBucket
from tap_amazon_sp.tap import TapAmazonSP

PACKAGE = Path(__file__).resolve().parents[2] / "tap_amazon_sp"
# What holds an account's quota or its token: made once per tap (client.py, Runtime.build).
PER_ACCOUNT = ("UsagePlans", "TokenBucket", "LWAToken", "Runtime", "SPAPIClient")


def account_tap(account_id: str, refresh_token: str) -> TapAmazonSP:
    config = {
        "lwa_client_id": "amzn1.application-oa2-client.shared-app",
        "lwa_client_secret": "app-secret",
        "refresh_token": refresh_token,
        "account_id": account_id,
        "region": "US",
    }
    return TapAmazonSP(config=config, parse_env_config=False, setup_mapper=False)


def create_report_bucket(tap: TapAmazonSP) -> TokenBucket:
    create = OPERATIONS["createReport"]
    return tap.runtime.client.plans.bucket("createReport", create.rate, create.burst)


def drain(bucket: TokenBucket) -> int:
    """Take every token there is now; how many there were."""
    taken = 0
    while bucket.try_acquire():
        taken += 1
    return taken


def test_two_accounts_in_one_process_each_have_their_own_quota_and_token():
    first, second = account_tap("A1FIRST", "Atzr|first"), account_tap("A2SECOND", "Atzr|second")
    assert first.runtime.client.plans is not second.runtime.client.plans
    assert first.runtime.client.token is not second.runtime.client.token
    burst = OPERATIONS["createReport"].burst
    # The first account spends its whole createReport burst: the second still has all of its own.
    assert drain(create_report_bucket(first)) == burst
    assert not create_report_bucket(first).try_acquire()
    assert drain(create_report_bucket(second)) == burst
    # A rate Amazon reports to one account (x-amzn-RateLimit-Limit) is that account's alone.
    create_report_bucket(first).set_rate(0.001)
    assert create_report_bucket(second).rate == OPERATIONS["createReport"].rate
    # The same tap keeps one bucket per operation: its streams share their account's quota.
    assert create_report_bucket(first) is create_report_bucket(first)


def shared_state(source: str) -> list[str]:
    """Module-level or class-level statements of `source` that make a per-account object (which
    every tap in the process would then share)."""
    found = []
    tree = ast.parse(source)
    scopes: list[list[ast.stmt]] = [tree.body]
    scopes += [node.body for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    for body in scopes:
        for statement in body:
            if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is None:
                continue
            for call in ast.walk(statement.value):
                if isinstance(call, ast.Call):
                    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                    if name in PER_ACCOUNT:
                        found.append(f"line {statement.lineno}: {name}")
    return found


def test_nothing_in_the_package_shares_a_quota_or_a_token_between_taps():
    found = {path.name: hits for path in sorted(PACKAGE.glob("*.py")) if (hits := shared_state(path.read_text()))}
    assert found == {}


def test_the_shared_state_check_names_a_module_or_class_level_bucket_and_not_a_local_one():
    source = (
        "from tap_amazon_sp.ratelimit import UsagePlans, TokenBucket\n"
        "PLANS = UsagePlans()\n"
        "class Client:\n"
        "    bucket: TokenBucket = TokenBucket(1.0, 2)\n"
        "    def build(self):\n"
        "        plans = UsagePlans()\n"
        "        return plans\n"
    )
    assert shared_state(source) == ["line 2: UsagePlans", "line 4: TokenBucket"]
