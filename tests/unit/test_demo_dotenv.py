"""scripts/demo reads `.env` as Meltano does, so both decide on the same settings."""

from __future__ import annotations

import runpy
from pathlib import Path

from tests.support.meltano_env import REPO

demo = runpy.run_path(str(REPO / "scripts" / "demo.py"))

ENV_FILE = """\
# the simulator's credentials, as the README's quick start has them
export TAP_AMAZON_SP_LWA_CLIENT_SECRET=sim-client-secret-DO-NOT-LOG
TAP_AMAZON_SP_REFRESH_TOKEN='Atzr|sim-refresh-token-DO-NOT-LOG'  # not a real account
TARGET_POSTGRES_SQLALCHEMY_URL="postgresql+psycopg://loader:p#ss@db.example:5432/warehouse"
TAP_AMAZON_SP_MARKETPLACE_IDS='["A1PA6795UKMFR9", "A13V1IB3VIYZZH"]'
TAP_AMAZON_SP_REPORT_OPTIONS="[
  {\\"stream_name\\": \\"GET_SALES_AND_TRAFFIC_REPORT\\", \\"options\\": {\\"asinGranularity\\": \\"SKU\\"}}
]"
EMPTY=
"""


def test_demo_reads_dotenv_files_as_meltano_does(tmp_path: Path):
    path = tmp_path / ".env"
    path.write_text(ENV_FILE, encoding="utf-8")
    values = demo["dotenv"](path)
    assert values["TAP_AMAZON_SP_LWA_CLIENT_SECRET"] == "sim-client-secret-DO-NOT-LOG"
    # A comment after a quoted value is not part of it: the demo sees the simulator's token, as
    # Meltano does, and syncs the simulator rather than trying a seller account.
    assert values["TAP_AMAZON_SP_REFRESH_TOKEN"] == demo["SIM_REFRESH_TOKEN"]
    assert values["TARGET_POSTGRES_SQLALCHEMY_URL"] == "postgresql+psycopg://loader:p#ss@db.example:5432/warehouse"
    assert values["TAP_AMAZON_SP_MARKETPLACE_IDS"] == '["A1PA6795UKMFR9", "A13V1IB3VIYZZH"]'
    assert values["TAP_AMAZON_SP_REPORT_OPTIONS"] == (
        '[\n  {"stream_name": "GET_SALES_AND_TRAFFIC_REPORT", "options": {"asinGranularity": "SKU"}}\n]'
    )
    assert values["EMPTY"] == ""


def test_demo_without_a_dotenv_file_reads_nothing(tmp_path: Path):
    assert demo["dotenv"](tmp_path / ".env") == {}
