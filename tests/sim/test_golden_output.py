"""A fresh fixed-seed sync of every Seller and Vendor stream prints what was recorded in
tests/golden/ (see tests/support/golden_output.py for what is compared and how to record it again)."""

from __future__ import annotations

import json

import pytest

from tests.support.golden_output import SYNCS, load, normalised, path_of, sync


@pytest.mark.parametrize(("name", "account", "region"), SYNCS, ids=[name for name, _, _ in SYNCS])
def test_a_fixed_seed_sync_prints_the_recorded_output(name: str, account: str, region: str):
    if not path_of(name).exists():
        pytest.fail(f"{path_of(name)} is missing: record it with .venv/bin/python -m tests.support.golden_output")
    recorded = load(name)
    fresh = normalised(sync(account, region), account)
    assert sorted(fresh) == sorted(recorded), "the streams of the account changed"
    changed = [
        f"{stream}.{part}"
        for stream in recorded
        for part in ("schema", "records", "bookmarks")
        if json.loads(json.dumps(fresh[stream][part])) != recorded[stream][part]
    ]
    assert changed == [], f"{name}: output changed in {changed[:10]} ({len(changed)} parts)"
    assert sum(len(e["records"]) for e in recorded.values() if isinstance(e["records"], list)) > 500
