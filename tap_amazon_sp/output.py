"""RECORD messages written straight from records the tap has already typed.

For every record the SDK walks the schema to conform values (`conform_record_data_types`),
walks the selection mask, builds a message object, serialises it with a generic encoder and
flushes stdout. Flat-file records come out of `records.RowTyper` holding only schema properties
with values that are already JSON-ready (str, int, finite Decimal, bool, None), so conforming is
the identity for them: here the selection is resolved once per stream, the record is encoded in
one call (msgspec, the SDK's own optional encoder, when installed; else a small typed encoder),
and lines are written to stdout 64 KiB at a time (stdout may be unbuffered: PYTHONUNBUFFERED is
common in containers) instead of one write and flush per record. Any other message (STATE,
SCHEMA) is serialised by the SDK and written after the pending lines, so the order of messages is
kept. A target reads the same JSON values the SDK would have written.

Writes are whole lines or nothing: a termination signal waits until the write is done
(stopping.StopGuard), and what a pipe did not take is written again.
"""

from __future__ import annotations

import select
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

from singer_sdk.io_base import SingerMessageType, SingerWriter
from singer_sdk.singerlib.encoding.simple import Message

from tap_amazon_sp.batches import BatchFiles
from tap_amazon_sp.stopping import OutputClosed, StopGuard

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

try:
    import msgspec

    HAVE_MSGSPEC = True
except ImportError:  # pragma: no cover - msgspec comes with the package; the fallback keeps a bare SDK working
    HAVE_MSGSPEC = False


class _NotPlain(TypeError):
    """A value the direct writer leaves to the SDK."""


def _refuse(value: Any) -> Any:
    raise _NotPlain(type(value).__name__)


def encode_plain(record: dict[str, Any], keys: dict[str, str]) -> str:
    """A JSON object for a record of str, int, bool, None and Decimal values (raises _NotPlain otherwise)."""
    parts = []
    for name, value in record.items():
        key = keys.get(name)
        if key is None:
            key = keys[name] = _quote(name) + ":"
        kind = type(value)
        if kind is str:
            parts.append(key + _quote(value))
        elif value is None:
            parts.append(key + "null")
        elif kind is bool:
            parts.append(key + ("true" if value else "false"))
        elif kind is int:
            parts.append(key + int.__repr__(value))
        elif kind is Decimal:
            # The SDK writes NaN and infinities as null; RowTyper never makes them.
            parts.append(key + (str(value) if value.is_finite() else "null"))
        else:
            raise _NotPlain(kind.__name__)
    return "{" + ",".join(parts) + "}"


def _msgspec_encoder() -> Callable[[dict[str, Any]], bytes] | None:
    if not HAVE_MSGSPEC:
        return None
    encoder = msgspec.json.Encoder(enc_hook=_refuse, decimal_format="number")
    return encoder.encode


BUFFER_BYTES = 64 * 1024


class TapMessageWriter(SingerWriter):
    """The SDK's message writer, plus a buffer of RECORD lines that streams write directly.

    Every message, the SDK's own (SCHEMA, STATE) included, goes out through `flush_lines`: whole
    lines only, however the write is interrupted (a signal, a pipe that takes part of a block), and
    a stdout that takes nothing more (its reader closed it, a full disk) is `OutputClosed`, not an
    OSError deep in a stream's sync.
    """

    def __init__(self) -> None:
        super().__init__()
        self._pending = bytearray()
        self.guard = StopGuard()
        # With `batch_config`: the streams' open batch files, finished and announced before any STATE.
        self.batches: BatchFiles | None = None

    def write_line(self, line: bytes) -> None:
        """Queue one complete message line (ending in a newline)."""
        self._pending += line
        if len(self._pending) >= BUFFER_BYTES:
            self.flush_lines()

    def write_now(self, line: bytes) -> None:
        """Queue one complete message line and write out the queue."""
        self._pending += line
        self.flush_lines()

    def flush_lines(self) -> None:
        """Write out the queued lines."""
        if not self._pending:
            return
        self.guard.writing()
        try:
            _write_all(self._pending)
            self._pending.clear()
        finally:
            self.guard.written()

    def discard_lines(self) -> None:
        """Forget the queued lines (the reader is gone)."""
        self._pending.clear()

    def finish_batches(self) -> None:
        """Finish and announce the open batch files, and write out the queued lines (the sync's end)."""
        if self.batches is not None:
            self.batches.finish_all()
        self.flush_lines()

    def discard_batches(self) -> None:
        """Delete the unfinished batch files (the sync failed or was stopped)."""
        if self.batches is not None:
            self.batches.discard_all()

    @override
    def write_message(self, message: Message) -> None:
        if self.batches is not None and message.type == SingerMessageType.STATE:
            # Whichever stream's bookmark this STATE moves, its records are in files announced before it.
            self.batches.finish_all()
        # The SDK's writer hands the text to sys.stdout, which with PYTHONUNBUFFERED sits on an
        # unbuffered file whose partial writes it does not repeat: a STATE line could be cut.
        self._pending += (self.format_message(message) + "\n").encode()
        self.flush_lines()


def _write_all(data: bytearray) -> None:
    """Write `data` to stdout whole: a pipe may take part of it (after a signal, or when stdout is
    unbuffered or non-blocking), so what is left is written until nothing is."""
    out = sys.stdout
    try:
        buffer = getattr(out, "buffer", None)
        if buffer is None:  # a text stream without bytes underneath (tests capture output in a StringIO)
            out.write(data.decode())
            out.flush()
            return
        out.flush()
        done = 0
        with memoryview(data) as view:
            while done < len(view):
                try:
                    written = buffer.write(view[done:])
                except BlockingIOError as exc:  # a non-blocking stdout whose pipe is full
                    written = exc.characters_written
                if not written:
                    select.select([], [buffer], [])
                    continue
                done += written
        while True:
            try:
                buffer.flush()
                return
            except BlockingIOError:
                select.select([], [buffer], [])
    except OSError as exc:
        raise OutputClosed.by(exc) from None


class RecordLineWriter:
    """Writes one stream's RECORD messages as JSON lines through a TapMessageWriter."""

    def __init__(
        self,
        stream: str,
        *,
        sink: TapMessageWriter,
        version: int | None,
        deselected: Iterable[str] = (),
        use_msgspec: bool = True,
    ) -> None:
        self._sink = sink
        self._head = '{"type":"RECORD","stream":' + _quote(stream) + ',"record":'
        self._head_bytes = self._head.encode()
        self._version = "" if version is None else f',"version":{int(version)}'
        self._deselected = tuple(deselected)
        self._keys: dict[str, str] = {}
        self._encode = _msgspec_encoder() if use_msgspec else None
        self._stamp_time = -1.0
        self._tail = ""
        self._tail_bytes = b""

    def write(self, record: dict[str, Any]) -> bool:
        """Write `record`; False (nothing written) when it holds a value the SDK must convert."""
        for name in self._deselected:
            record.pop(name, None)
        if time.time() - self._stamp_time >= 1.0:
            self._stamp()
        try:
            if self._encode is not None:
                line = b"".join((self._head_bytes, self._encode(record), self._tail_bytes))
            else:
                line = (self._head + encode_plain(record, self._keys) + self._tail).encode()
        except _NotPlain:
            return False
        self._sink.write_line(line)
        return True

    def _stamp(self) -> None:
        # The SDK stamps each record with the time it was extracted; formatting that once a second
        # keeps it off the per-record path and is as precise as a target can use.
        now = time.time()
        self._stamp_time = now
        stamp = datetime.fromtimestamp(now, timezone.utc).isoformat(sep="T")
        self._tail = self._version + ',"time_extracted":' + _quote(stamp) + "}\n"
        self._tail_bytes = self._tail.encode()


class RecordEncoder:
    """One stream's records as the JSON objects its RECORD messages carry, for batch files: encoded
    as RecordLineWriter encodes them (the deselected properties left out, msgspec when installed,
    else `encode_plain`)."""

    def __init__(self, *, deselected: Iterable[str] = (), use_msgspec: bool = True) -> None:
        self._deselected = tuple(deselected)
        self._keys: dict[str, str] = {}
        self._encode = _msgspec_encoder() if use_msgspec else None

    def encode(self, record: dict[str, Any]) -> bytes | None:
        """The record's JSON; None when it holds a value the SDK must convert."""
        for name in self._deselected:
            record.pop(name, None)
        try:
            if self._encode is not None:
                return self._encode(record)
            return encode_plain(record, self._keys).encode()
        except _NotPlain:
            return None
