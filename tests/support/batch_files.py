"""Reading the batch files a tap run's BATCH messages name, as target-postgres reads them."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname


def batch_config(root: Path, **extra: Any) -> dict[str, Any]:
    """A `batch_config` writing gzipped JSON Lines files to `root`."""
    return {"encoding": {"format": "jsonl", "compression": "gzip"}, "storage": {"root": root.as_uri()}, **extra}


def path_of(url: str) -> Path:
    parts = urlsplit(url)
    assert parts.scheme == "file", url
    return Path(url2pathname(parts.path))


def read_batch(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of every file a BATCH message names (a file that is not whole fails here)."""
    assert message["type"] == "BATCH"
    records = []
    for url in message["manifest"]:
        raw = path_of(url).read_bytes()
        data = gzip.decompress(raw) if message["encoding"]["compression"] == "gzip" else raw
        assert data.endswith(b"\n"), url
        records += [json.loads(line, parse_float=Decimal) for line in data.splitlines()]
    return records


def as_records(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`messages` with each BATCH message replaced by RECORD messages of the records its files hold."""
    out: list[dict[str, Any]] = []
    for message in messages:
        if message["type"] == "BATCH":
            out += [{"type": "RECORD", "stream": message["stream"], "record": r} for r in read_batch(message)]
        else:
            out.append(message)
    return out
