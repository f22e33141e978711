"""The report catalogue's rows: keyword-only, named by their report type, and consistent in what
their windows and options say."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tap_amazon_sp.catalogue import (
    BY_STREAM,
    PERIODS,
    REPORT_WINDOW,
    REPORTS,
    SEARCH_TERMS_OPTIONS,
    Account,
    ReportSpec,
    streams_for,
)
from tap_amazon_sp.windows import SNAPSHOT, Align, LookBack

SEARCH_TERMS = "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"


def test_a_row_is_named_by_its_report_type_unless_it_says_otherwise():
    spec = ReportSpec(report_type="GET_TEST", fmt="tsv")
    assert spec.stream == "GET_TEST"
    assert ReportSpec(report_type="GET_TEST", stream="GET_TEST_OTHER", fmt="tsv").stream == "GET_TEST_OTHER"
    # Each stream name once in the table.
    assert len(BY_STREAM) == len(REPORTS)
    named_otherwise = {spec.stream for spec in REPORTS if spec.stream != spec.report_type}
    assert named_otherwise == {
        "GET_SALES_AND_TRAFFIC_REPORT_BY_DATE",
        "GET_VENDOR_SALES_REPORT_AGGREGATE",
        "GET_VENDOR_INVENTORY_REPORT_AGGREGATE",
        "GET_VENDOR_TRAFFIC_REPORT_AGGREGATE",
        "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT_AGGREGATE",
        "GET_V2_SELLER_PERFORMANCE_REPORT_ACCOUNT_STATUSES",
    }


def test_rows_take_keywords_only():
    positional: Any = ReportSpec
    with pytest.raises(TypeError):
        positional("GET_TEST", "GET_TEST", "tsv")


def test_windows_of_reporting_periods_go_with_the_options_amazon_requires():
    with pytest.raises(ValueError, match="reporting periods"):
        ReportSpec(report_type="GET_TEST", fmt="json", window=PERIODS)
    with pytest.raises(ValueError, match="reporting periods"):
        ReportSpec(report_type="GET_TEST", fmt="json", analytics=SEARCH_TERMS_OPTIONS)
    spec = BY_STREAM[SEARCH_TERMS]
    assert spec.window_for({}).align is Align.WEEK  # the option's default
    assert spec.window_for({"reportPeriod": "MONTH"}).align is Align.MONTH
    assert spec.window.one_period
    assert BY_STREAM["GET_VENDOR_SALES_REPORT"].window_for({}).align is Align.DAY


def test_a_report_whose_records_total_their_window_cannot_look_back():
    key = ("marketplace_id", "data_end_time")
    with pytest.raises(ValueError, match="total their window"):
        ReportSpec(report_type="GET_TEST", fmt="json", primary_key=key)
    ReportSpec(
        report_type="GET_TEST", fmt="json", primary_key=key, window=replace(REPORT_WINDOW, look_back=LookBack.NEVER)
    )
    assert BY_STREAM["GET_SALES_AND_TRAFFIC_REPORT"].window.look_back is LookBack.NEVER


def test_each_account_type_gets_its_own_reports_and_brand_owners_both():
    assert Account.BRAND_OWNERS.serves("Seller") and Account.BRAND_OWNERS.serves("Vendor")
    assert not Account.VENDOR.serves("Seller") and not Account.SELLER.serves("Vendor")
    seller = {spec.stream for spec in streams_for("Seller")}
    vendor = {spec.stream for spec in streams_for("Vendor")}
    assert seller & vendor == {
        SEARCH_TERMS,
        "GET_BRAND_ANALYTICS_MARKET_BASKET_REPORT",
        "GET_BRAND_ANALYTICS_REPEAT_PURCHASE_REPORT",
        "GET_BRAND_ANALYTICS_SEARCH_QUERY_PERFORMANCE_REPORT",
        "GET_BRAND_ANALYTICS_SEARCH_CATALOG_PERFORMANCE_REPORT",
    }
    assert seller | vendor == set(BY_STREAM)


def test_snapshots_keep_no_bookmark_and_listed_reports_do():
    listed = [spec for spec in REPORTS if spec.list_only]
    assert listed and all(spec.replication_key == "data_end_time" for spec in listed)
    snapshots = [spec for spec in REPORTS if spec.window is SNAPSHOT]
    assert snapshots and all(spec.replication_key is None for spec in snapshots)
