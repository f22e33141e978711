"""The simulator's transcription of Data Kiosk's dataset schemas, held to Amazon's schema files when
they are there (``../shared/spapi-models``), and the GraphQL reader it checks queries with."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.spapi_simulator.datakiosk_schema import SCHEMAS
from tests.spapi_simulator.graphql import GraphQLError, parse_query, parse_sdl

MODELS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spapi-models"


@pytest.mark.parametrize("dataset", sorted(SCHEMAS))
def test_the_transcription_is_the_schema_file(dataset: str) -> None:
    path = MODELS_DIR / f"{dataset}.graphql"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    assert parse_sdl(path.read_text("utf-8")) == SCHEMAS[dataset]


def test_a_field_the_dataset_lacks_and_a_missing_argument_are_named() -> None:
    schema = SCHEMAS["analytics_salesAndTraffic_2024_04_24"]
    query = 'query{analytics_salesAndTraffic_2024_04_24{salesAndTrafficByDate(startDate:"2026-01-01",'
    query += 'aggregateBy:DAY,marketplaceIds:["X"]){startDate sales{nope}}}}'
    problems = schema.check(parse_query(query))
    assert problems == [
        "Missing field argument 'endDate' @ 'analytics_salesAndTraffic_2024_04_24.salesAndTrafficByDate'",
        (
            "Field 'nope' in type 'ByDateSales' is undefined @ "
            "'analytics_salesAndTraffic_2024_04_24.salesAndTrafficByDate.sales.nope'"
        ),
    ]


def test_an_enum_value_the_schema_lacks_is_refused() -> None:
    schema = SCHEMAS["analytics_salesAndTraffic_2024_04_24"]
    query = 'query{analytics_salesAndTraffic_2024_04_24{salesAndTrafficByDate(startDate:"2026-01-01",'
    query += 'endDate:"2026-01-02",aggregateBy:HOUR,marketplaceIds:["X"]){startDate}}}'
    assert schema.check(parse_query(query)) == [
        "analytics_salesAndTraffic_2024_04_24.salesAndTrafficByDate(aggregateBy): not a value of enum DateGranularity"
    ]


@pytest.mark.parametrize("text", ["mutation{x}", "{a", "query{...f}", "{a:b}", "{a(x:$v)}"])
def test_what_is_not_a_data_kiosk_query_is_refused(text: str) -> None:
    with pytest.raises(GraphQLError):
        parse_query(text)
