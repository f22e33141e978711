"""The SDK's standard tap tests, run against the simulator over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_amazon_sp.catalogue import REPORTS
from tap_amazon_sp.datakiosk_streams import kiosk_stream_classes
from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import END, RATE_SCALE, START
from tests.spapi_simulator import Simulator
from tests.spapi_simulator.lwa import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REFRESH_TOKEN

# The SDK builds its test class, and the runner that holds this config, at import time; the
# simulator's URL is only known once it listens, so the class fixture below fills it in before the
# SDK's runner syncs. Until then the URLs name a closed loopback port: collecting the tests starts
# no server and a run without the fixture could reach no host.
_NOWHERE = "http://127.0.0.1:9"
SAMPLE_CONFIG: dict[str, Any] = {
    "lwa_client_id": DEFAULT_CLIENT_ID,
    "lwa_client_secret": DEFAULT_CLIENT_SECRET,
    "refresh_token": DEFAULT_REFRESH_TOKEN,
    "region": "US",
    "start_date": START,
    "end_date": END,
    "sp_api_url": _NOWHERE,
    "lwa_token_url": f"{_NOWHERE}/auth/o2/token",
    # The SDK's tests sync each stream once (its dry run), never the later passes that read a stream
    # newest first further back: oldest first, each stream reads all of its windows in that one go.
    "newest_first": False,
}


def every_stream_selected(config: dict[str, Any]) -> dict[str, Any]:
    """The discovered catalog with every stream selected, those synced only on request included."""
    catalog = TapAmazonSP(config=config, validate_config=False, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = True
    return catalog


_SdkTapTests = get_tap_test_class(
    tap_class=TapAmazonSP,
    config=SAMPLE_CONFIG,
    catalog=every_stream_selected(SAMPLE_CONFIG),
    # Settlements exist only for the last 90 days (tests/sim/test_report_sync.py covers them); removed
    # report types send their SCHEMA only (tests/sim/test_lifecycle.py). Amazon serves two years of
    # Subscribe & Save weeks, all after this suite's end date (tests/sim/test_replenishment.py), and
    # two years of coupon and promotion start dates (tests/sim/test_seller_promotions.py), and two years of
    # Data Kiosk datasets (tests/sim/test_datakiosk.py).
    suite_config=SuiteConfig(
        max_records_limit=200,
        ignore_no_records_for_streams=[
            *(spec.stream for spec in REPORTS if spec.list_only),
            *(spec.stream for spec in REPORTS if spec.lifecycle.removed),
            *(spec.stream for spec in REPORTS if spec.window.horizon_years is not None),
            "replenishment_selling_partner_metrics",
            "replenishment_offer_metrics",
            *kiosk_stream_classes(),
        ],
    ),
)


class TestTapAmazonSP(_SdkTapTests):  # type: ignore[misc,valid-type]
    # Autouse and class-scoped: pytest sets it up before the SDK's class-scoped `runner`, which syncs.
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def _simulator(cls) -> Iterator[Simulator]:
        with Simulator(seed=11, rows=30, processing_delay=0.02, rate_scale=RATE_SCALE) as sim:
            SAMPLE_CONFIG.update(sp_api_url=sim.url, lwa_token_url=f"{sim.url}/auth/o2/token")
            try:
                yield sim
            finally:
                SAMPLE_CONFIG.update(sp_api_url=_NOWHERE, lwa_token_url=f"{_NOWHERE}/auth/o2/token")
