"""batch_config read into where batch files go, and a STATE never ahead of an unannounced file."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
from pathlib import Path

import pytest
from singer_sdk.singerlib import StateMessage

from tap_amazon_sp.batches import BatchFiles, BatchTarget
from tap_amazon_sp.output import TapMessageWriter
from tap_amazon_sp.settings import SettingsError, batch_target


def test_a_file_url_or_a_path_is_the_directory_and_gzip_the_default(tmp_path: Path):
    by_url = batch_target({"encoding": {"format": "jsonl"}, "storage": {"root": tmp_path.as_uri(), "prefix": "p-"}})
    assert by_url == BatchTarget(tmp_path.resolve(), "p-", "gzip", 10_000)
    by_path = batch_target(
        {"encoding": {"format": "jsonl", "compression": "none"}, "storage": {"root": str(tmp_path)}, "batch_size": 5}
    )
    assert by_path == BatchTarget(tmp_path.resolve(), "", "none", 5)
    assert batch_target(None) is None and batch_target({}) is None


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        ({"encoding": {"format": "parquet"}, "storage": {"root": "/tmp"}}, "batch_config.encoding.format"),
        (
            {"encoding": {"format": "jsonl", "compression": "bz2"}, "storage": {"root": "/tmp"}},
            "batch_config.encoding.compression",
        ),
        ({"encoding": {"format": "jsonl"}, "storage": {"root": "gs://bucket"}}, "batch_config.storage.root"),
        (
            {"encoding": {"format": "jsonl"}, "storage": {"root": "/tmp", "prefix": "../up"}},
            "batch_config.storage.prefix",
        ),
        ({"encoding": {"format": "jsonl"}, "storage": {"root": "/tmp"}, "batch_size": "10"}, "batch_config.batch_size"),
        ("jsonl", "batch_config"),
    ],
)
def test_what_the_tap_cannot_write_is_refused_naming_the_key(config: object, setting: str):
    with pytest.raises(SettingsError) as refused:
        batch_target(config)
    assert refused.value.setting == setting


def test_a_state_message_comes_after_the_batch_message_of_every_open_file(tmp_path: Path):
    writer = TapMessageWriter()
    writer.batches = BatchFiles(
        BatchTarget(tmp_path, batch_size=3), tap_name="t", guard=writer.guard, announce=writer.write_now
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for n in range(4):
            writer.batches.add("s", json.dumps({"n": n}).encode())
        # The first file is full at 3 records; the fourth record's file is open when the STATE comes.
        writer.write_message(StateMessage(value={"bookmarks": {}}))
    messages = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [m["type"] for m in messages] == ["BATCH", "BATCH", "STATE"]
    files = [Path(m["manifest"][0].removeprefix("file://")) for m in messages[:2]]
    assert [[json.loads(line)["n"] for line in gzip.decompress(f.read_bytes()).splitlines()] for f in files] == [
        [0, 1, 2],
        [3],
    ]
    assert sorted(tmp_path.iterdir()) == sorted(files)


def test_discarded_files_leave_nothing_behind(tmp_path: Path):
    writer = TapMessageWriter()
    batches = BatchFiles(BatchTarget(tmp_path), tap_name="t", guard=writer.guard, announce=writer.write_now)
    batches.add("s", b"{}")
    assert [p.suffix for p in tmp_path.iterdir()] == [".part"]
    batches.discard_all()
    assert list(tmp_path.iterdir()) == []
