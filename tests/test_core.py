"""The SDK's standard tap tests, run against the simulator over HTTP."""

from __future__ import annotations

import atexit
from typing import Any

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_amazon_sp.catalogue import REPORTS
from tap_amazon_sp.tap import TapAmazonSP
from tests.conftest import END, RATE_SCALE, START
from tests.spapi_simulator import Simulator

# The SDK builds its test class at import time and syncs in a class-scoped fixture, so the
# simulator it talks to must exist before collection.
_SIMULATOR = Simulator(seed=11, rows=30, processing_delay=0.02, rate_scale=RATE_SCALE)
_SIMULATOR.start()
atexit.register(_SIMULATOR.stop)

SAMPLE_CONFIG = {
    "lwa_client_id": _SIMULATOR.credentials.client_id,
    "lwa_client_secret": _SIMULATOR.credentials.client_secret,
    "refresh_token": _SIMULATOR.credentials.refresh_token,
    "region": "US",
    "start_date": START,
    "end_date": END,
    "sp_api_url": _SIMULATOR.url,
    "lwa_token_url": f"{_SIMULATOR.url}/auth/o2/token",
}


def every_stream_selected(config: dict[str, Any]) -> dict[str, Any]:
    """The discovered catalog with every stream selected, those synced only on request included."""
    catalog = TapAmazonSP(config=config, validate_config=False, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = True
    return catalog


TestTapAmazonSP = get_tap_test_class(
    tap_class=TapAmazonSP,
    config=SAMPLE_CONFIG,
    catalog=every_stream_selected(SAMPLE_CONFIG),
    # Settlements exist only for the last 90 days (tests/test_report_sync.py covers them); removed
    # report types send their SCHEMA only (tests/test_lifecycle.py). Amazon serves two years of
    # Subscribe & Save weeks, all after this suite's end date (tests/test_replenishment.py).
    suite_config=SuiteConfig(
        max_records_limit=200,
        ignore_no_records_for_streams=[
            *(spec.stream for spec in REPORTS if spec.list_only),
            *(spec.stream for spec in REPORTS if spec.lifecycle.removed),
            "replenishment_selling_partner_metrics",
            "replenishment_offer_metrics",
        ],
    ),
)
