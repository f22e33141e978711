"""ASIN options of the search performance reports: checked in the config, and cut into requests of at
most Amazon's 200 characters; their rows' metric objects as columns."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tap_amazon_sp.catalogue import (
    ASIN_CHARS,
    BY_STREAM,
    SEARCH_CATALOG_PERFORMANCE,
    SEARCH_QUERY_PERFORMANCE,
    asin_list,
)
from tap_amazon_sp.errors import StateError
from tap_amazon_sp.records import flat_name, flattened
from tap_amazon_sp.reports import ReportRequest
from tap_amazon_sp.slots import Slot
from tap_amazon_sp.state_input import check

SQP = BY_STREAM[SEARCH_QUERY_PERFORMANCE]
SCP = BY_STREAM[SEARCH_CATALOG_PERFORMANCE]


def asins(n: int) -> list[str]:
    return [f"B0{i:08d}" for i in range(n)]


@pytest.mark.parametrize("count", [1, 17, 18, 19, 36, 37, 100])
def test_parts_hold_every_asin_once_in_order_and_never_more_than_200_characters(count: int):
    assert SQP.asin_parts is not None
    given = asins(count)
    parts = SQP.asin_parts.split(" ".join(given))
    assert all(len(part) <= ASIN_CHARS for part in parts)
    assert " ".join(parts).split() == given
    # As few requests as the limit allows: 18 ten-character ASINs and 17 spaces are 197 characters.
    assert len(parts) == -(-count // 18)


def test_an_asin_list_is_upper_cased_without_repeats_and_its_mistakes_are_named():
    rule = SQP.analytics.options["asin"] if SQP.analytics else None
    assert rule is not None and rule.max_chars is None
    assert asin_list("b0abcdefgh,B0ABCDEFGH  0123456789", rule) == "B0ABCDEFGH 0123456789"
    with pytest.raises(ValueError, match="'B0SHORT' is not an ASIN"):
        asin_list("B0ABCDEFGH B0SHORT", rule)
    with pytest.raises(ValueError, match="names no ASIN"):
        asin_list(" , ", rule)
    catalog_rule = SCP.analytics.options["asins"] if SCP.analytics else None
    assert catalog_rule is not None and catalog_rule.max_chars == 200
    assert asin_list(" ".join(asins(18)), catalog_rule) == " ".join(asins(18))
    with pytest.raises(ValueError, match="19 ASINs are 208 characters; Amazon takes at most 200"):
        asin_list(" ".join(asins(19)), catalog_rule)


def test_metric_objects_become_columns_named_after_their_object_unless_the_field_already_is():
    assert flat_name("impression_data", "impression_count") == "impression_count"
    assert flat_name("purchase_data", "conversion_rate") == "purchase_conversion_rate"
    assert flat_name("search_query_data", "search_query_score") == "search_query_score"
    row = {
        "asin": "B0ABCDEFGH",
        "click_data": {"click_count": 3, "clicked_median_price": {"amount": 1.5, "currency_code": "EUR"}},
        "purchase_data": None,
    }
    assert flattened(row, ("click_data", "purchase_data")) == {
        "asin": "B0ABCDEFGH",
        "click_count": 3,
        "clicked_median_price_amount": 1.5,
        "clicked_median_price_currency_code": "EUR",
        "purchase_data": None,  # not an object: left for the record's checks (extra_columns)
    }
    assert {name for name, _kind in SCP.columns} >= {"purchase_search_traffic_sales_amount", "click_rate"}


def test_a_part_is_named_after_its_window_in_state_and_state_with_parts_is_accepted():
    start, end = datetime(2024, 1, 7, tzinfo=timezone.utc), datetime(2024, 1, 14, tzinfo=timezone.utc)
    request = ReportRequest(SEARCH_QUERY_PERFORMANCE, ("ATVPDKIKX0DER",), start, end)
    window = "2024-01-07T00:00:00+00:00/2024-01-14T00:00:00+00:00"
    assert Slot(SQP.stream, "ATVPDKIKX0DER", request, part="2").key == f"{window}#2"
    assert Slot(SQP.stream, "ATVPDKIKX0DER", request).key == window

    def state(key: str) -> dict[str, object]:
        partition = {
            "context": {"marketplace_id": "ATVPDKIKX0DER"},
            "pending_reports": {key: {"report_id": "1", "options": "{}", "created": "2024-01-15T00:00:00+00:00"}},
        }
        return {"bookmarks": {SQP.stream: {"partitions": [partition]}}}

    check(state(f"{window}#2"), "state.json")
    check(state(f"{window}#asins"), "state.json")
    with pytest.raises(StateError, match="with a #part"):
        check(state(f"{window}#"), "state.json")
