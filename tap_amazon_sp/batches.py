"""BATCH messages: a stream's records in JSON Lines files, each announced before any later STATE.

The SDK's own batch path (`batch_config`) reads a stream's records to its end, writing a file per
`batch_size` records and its STATE after each file. Our streams write their STATE themselves, at
the end of each window (`commit_bookmark`), while the records are still being read: on that path a
STATE could name a bookmark whose records sit in a file no BATCH message has announced yet, and a
run stopped there would lose them. It also encodes with simplejson and compresses at gzip's
slowest level, 2.3x the tap's CPU of writing RECORD messages.

Here every STATE message first finishes the open files and announces them (output.TapMessageWriter
calls `finish_all`), so a STATE never moves past a record a BATCH message has not named, whichever
stream's window it commits. A file is written under a `.part` name and renamed once whole: a file
a BATCH message names is always complete, and a run that fails or is stopped deletes the files it
had not finished (their records were not committed, so the next sync reads them again).

Records are the JSON objects RECORD messages would carry (the same encoders); compression is gzip
at level 1 (about 5x faster than level 9, for files a little larger), or none.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tap_amazon_sp.errors import TapError
from tap_amazon_sp.stopping import StopGuard

# What batch files can be: JSON Lines, gzipped or not (parquet would need pyarrow in the tap).
BATCH_FORMATS = ("jsonl",)
# The SDK's default number of records per batch file (its `batch_config.batch_size`).
DEFAULT_BATCH_SIZE = 10_000
GZIP_LEVEL = 1
# Lines are compressed and written this many bytes at a time.
CHUNK_BYTES = 1 << 20
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class BatchStorageError(TapError):
    """A batch file could not be written where `batch_config.storage.root` says."""


@dataclass(frozen=True)
class BatchTarget:
    """Where and how batch files are written (read from `batch_config` by settings.py)."""

    directory: Path
    prefix: str = ""
    compression: str = "gzip"  # or "none"
    batch_size: int = DEFAULT_BATCH_SIZE

    @property
    def suffix(self) -> str:
        return ".json.gz" if self.compression == "gzip" else ".json"

    def check_writable(self) -> None:
        """Create the directory and write a file there (removed at once), or raise BatchStorageError."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            probe = self.directory / f".{self.prefix and _UNSAFE.sub('_', self.prefix)}probe-{uuid.uuid4().hex}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise BatchStorageError(
                f"batch_config.storage.root: cannot write batch files to {self.directory} ({exc.strerror or exc})"
            ) from None


class BatchFile:
    """One batch file being written: JSON lines, compressed a chunk at a time."""

    def __init__(self, path: Path, compression: str) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.records = 0
        self._buffer = bytearray()
        # gzip's container (wbits 31), from one compressor: the gzip module's writer adds a Python
        # call per write and its own bookkeeping.
        self._compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31) if compression == "gzip" else None
        self.part.parent.mkdir(parents=True, exist_ok=True)
        self._file: BinaryIO = open(self.part, "wb")  # noqa: SIM115 - closed by `close` or `discard`

    def add(self, line: bytes) -> bool:
        """Add one record's JSON; True when the buffered lines are due to be written."""
        self._buffer += line
        self._buffer += b"\n"
        self.records += 1
        return len(self._buffer) >= CHUNK_BYTES

    def spill(self) -> None:
        """Compress and write the buffered lines."""
        data = bytes(self._buffer) if self._compressor is None else self._compressor.compress(self._buffer)
        self._buffer.clear()
        self._file.write(data)

    def close(self) -> str:
        """Finish the file under its own name; its URL, as a BATCH message's manifest names it."""
        self.spill()
        if self._compressor is not None:
            self._file.write(self._compressor.flush())
        self._file.close()
        os.replace(self.part, self.path)
        return self.path.as_uri()

    def discard(self) -> None:
        """Remove the unfinished file."""
        self._file.close()
        self.part.unlink(missing_ok=True)


class BatchFiles:
    """The open batch file of each stream; BATCH message lines go to `announce` as files finish (at
    once: a target loads each file as its message comes, while the tap writes the next)."""

    def __init__(
        self, target: BatchTarget, *, tap_name: str, guard: StopGuard, announce: Callable[[bytes], None]
    ) -> None:
        self.target = target
        self._tap_name = _UNSAFE.sub("_", tap_name)
        self._run = uuid.uuid4().hex[:12]
        self._guard = guard
        self._announce = announce
        self._open: dict[str, BatchFile] = {}
        self._count: dict[str, int] = {}
        self.announced = 0

    def add(self, stream: str, line: bytes) -> None:
        """Add one record of `stream` (its JSON object, no newline)."""
        file = self._open.get(stream) or self._start(stream)
        if file.add(line):
            self._writing(file.spill, file)
        if file.records >= self.target.batch_size:
            self._finish(stream)

    def finish_all(self) -> None:
        """Finish and announce every open file (before a STATE, and at the end of the sync)."""
        for stream in list(self._open):
            self._finish(stream)

    def discard_all(self) -> None:
        """Delete the files not finished: nothing announced them, and no STATE counts their records."""
        for file in self._open.values():
            with contextlib.suppress(OSError):
                file.discard()
        self._open.clear()

    def _start(self, stream: str) -> BatchFile:
        number = self._count[stream] = self._count.get(stream, 0) + 1
        target = self.target
        name = f"{target.prefix}{self._tap_name}--{_UNSAFE.sub('_', stream)}-{self._run}-{number}{target.suffix}"
        path = target.directory / name
        try:
            file = self._open[stream] = BatchFile(path, target.compression)
        except OSError as exc:
            raise self._failed(path, exc) from None
        return file

    def _finish(self, stream: str) -> None:
        file = self._open[stream]
        # A signal waits until the file is whole and its BATCH line queued (stopping.StopGuard).
        self._guard.writing()
        try:
            try:
                url = file.close()
            except OSError as exc:
                raise self._failed(file.path, exc) from None
            del self._open[stream]
            encoding = {"format": "jsonl", "compression": self.target.compression}
            message = {"type": "BATCH", "stream": stream, "encoding": encoding, "manifest": [url]}
            self._announce((json.dumps(message, separators=(",", ":")) + "\n").encode())
            self.announced += 1
        finally:
            self._guard.written()

    def _writing(self, write: Callable[[], None], file: BatchFile) -> None:
        self._guard.writing()
        try:
            write()
        except OSError as exc:
            raise self._failed(file.path, exc) from None
        finally:
            self._guard.written()

    @staticmethod
    def _failed(path: Path, exc: OSError) -> BatchStorageError:
        return BatchStorageError(
            f"batch_config.storage.root: writing the batch file {path} failed ({exc.strerror or exc})"
        )
