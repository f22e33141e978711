"""ASIN options of the search performance reports, checked in the config; their rows' metric objects
as columns."""

from __future__ import annotations

import pytest

from tap_amazon_sp.catalogue import BY_STREAM, SEARCH_CATALOG_PERFORMANCE, asin_list
from tap_amazon_sp.records import flat_name, flattened

SCP = BY_STREAM[SEARCH_CATALOG_PERFORMANCE]


def asins(n: int) -> list[str]:
    return [f"B0{i:08d}" for i in range(n)]


def test_an_asin_list_is_upper_cased_without_repeats_and_its_mistakes_are_named():
    rule = SCP.analytics.options["asins"] if SCP.analytics else None
    assert rule is not None and rule.max_chars == 200
    assert asin_list("b0abcdefgh,B0ABCDEFGH  0123456789", rule) == "B0ABCDEFGH 0123456789"
    with pytest.raises(ValueError, match="'B0SHORT' is not an ASIN"):
        asin_list("B0ABCDEFGH B0SHORT", rule)
    with pytest.raises(ValueError, match="names no ASIN"):
        asin_list(" , ", rule)
    assert asin_list(" ".join(asins(18)), rule) == " ".join(asins(18))
    with pytest.raises(ValueError, match="19 ASINs are 208 characters; Amazon takes at most 200"):
        asin_list(" ".join(asins(19)), rule)


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
