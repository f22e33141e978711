"""Large report documents for the benchmarks, generated once and kept on disk.

The simulator's Dataset makes All Orders rows at ~32k rows/s; a 1M-row document would cost half a
minute per run, so each size is written once as gzip under the system temp directory and reused.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

from tests.spapi_simulator.data import Dataset

ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
US = "ATVPDKIKX0DER"
SEED = 1
CACHE = Path(tempfile.gettempdir()) / "tap-amazon-sp-bench"


def all_orders_document(rows: int, *, marketplace_id: str = US) -> Path:
    """The gzip file of an All Orders document with `rows` data rows (made on first use)."""
    path = CACHE / f"all-orders-{marketplace_id}-seed{SEED}-{rows}.tsv.gz"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".part{os.getpid()}")
    with gzip.open(partial, "wb", compresslevel=6) as out:
        for chunk in Dataset(SEED, rows).big_document(ALL_ORDERS, marketplace_id, rows):
            out.write(chunk)
    partial.replace(path)  # atomic: a killed run never leaves a half file behind under the real name
    return path
