"""How many reports an unset max_reports_in_flight allows: the burst, then build time x rate + 1, 60 at most."""

from __future__ import annotations

from tap_amazon_sp.quota import InFlightLimit

AMAZON_RATE = 0.0167  # createReport: one a minute (reports_2021-06-30 model)


def test_it_starts_at_the_burst_and_grows_with_slow_builds_up_to_60():
    limit = InFlightLimit(None, lambda: AMAZON_RATE)
    assert limit.value == 15
    # Built in 10 minutes: ten reports are requested meanwhile; the burst is more.
    assert limit.observe(600.0) is None
    assert limit.value == 15
    # 10 and 50 minutes: 30 on average, 30.06 reports a build, + 1.
    said = limit.observe(3000.0)
    assert limit.value == 32
    assert said == (
        "Amazon takes 30 min on average to build a report: up to 32 reports in flight "
        "(max_reports_in_flight unset; at most 60)"
    )
    for _ in range(8):
        assert limit.observe(7200.0) is None  # said once, when it first left the burst
    assert limit.value == 60


def test_a_number_given_is_kept_and_a_report_without_times_changes_nothing():
    fixed = InFlightLimit(4, lambda: AMAZON_RATE)
    assert fixed.observe(7200.0) is None
    assert fixed.value == 4
    auto = InFlightLimit(None, lambda: AMAZON_RATE)
    assert auto.observe(None) is None
    assert auto.value == 15
