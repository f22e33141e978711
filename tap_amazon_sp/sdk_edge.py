"""The one module that touches the Singer SDK's private surface.

The SDK's public hooks do not reach everything this tap needs: a STATE message written at the
moment a window's records are all out (not when the SDK next thinks of it), child streams synced
once per page rather than per record, RECORD lines written without the SDK's per-record work when
nothing needs it, its own config checks and signal handling. Each of those is an underscored SDK
member, and each is used here only, behind a named method or hook, so an SDK upgrade that moves
one breaks this file and nothing else (tests/unit/test_sdk_edge.py holds every other module to it).
"""

from __future__ import annotations

import copy
import json
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from singer_sdk import Stream, Tap
from singer_sdk.configuration._dict_config import parse_environment_config
from singer_sdk.helpers._classproperty import classproperty
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.singerlib.json import serialize_json

from tap_amazon_sp.errors import ConfigFileError
from tap_amazon_sp.output import RecordEncoder, RecordLineWriter, TapMessageWriter

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import FrameType

    from singer_sdk.helpers.types import Context
    from singer_sdk.singerlib import MetadataMapping

    from tap_amazon_sp.batches import BatchFiles


class EdgeTap(Tap):
    """The SDK's Tap, its private hooks turned into named ones for `TapAmazonSP`."""

    def check_config(self, *, raise_errors: bool) -> list[str]:
        """The config's errors (raised as the SDK's ConfigValidationError when `raise_errors`)."""
        return super()._validate_config(raise_errors=raise_errors)

    @classmethod
    def env_config_schema(cls) -> dict[str, Any]:
        """The schema `--config ENV` reads the environment by."""
        schema = copy.deepcopy(cls.config_jsonschema)
        cls.append_builtin_config(schema)
        return schema

    def stop_on_signal(self, signum: int) -> None:
        """Called for SIGTERM, SIGINT and SIGHUP instead of the SDK's handler (which writes a STATE from
        inside the handler and exits 0)."""
        raise NotImplementedError

    @property
    def given_config(self) -> dict[str, Any]:
        """The config as given, before the SDK's defaults and validation."""
        config: dict[str, Any] = self._config
        return config

    @property
    def current_state(self) -> dict[str, Any] | None:
        """The state as it stands, None before any was loaded (the SDK's `state` raises then)."""
        state: dict[str, Any] | None = getattr(self, "_state", None)
        return state

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        return self.check_config(raise_errors=raise_errors)

    @classproperty
    def _env_var_config(cls) -> dict[str, Any]:
        schema = cls.env_config_schema()
        try:
            return parse_environment_config(schema, cls._env_var_prefix)
        except ValueError as exc:
            # A list or object setting whose variable is not JSON: the SDK's decoder error, with a
            # stack trace, would not name the variable.
            raise ConfigFileError(f"{_unreadable_variable(schema, cls._env_var_prefix)}: {exc}") from None

    @override
    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        self.stop_on_signal(signum)

    @override
    def _setup_signal_handlers(self) -> None:
        super()._setup_signal_handlers()
        # The SDK handles SIGINT and SIGTERM; a hang-up would end the process mid-line, no STATE written.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, self._handle_termination)


def _unreadable_variable(schema: dict[str, Any], prefix: str) -> str:
    """The environment variable of a list or object setting that does not hold JSON (its value is not
    said: it may be long, and the message stays one line)."""
    for name, prop in schema.get("properties", {}).items():
        variable = prefix + name.upper().replace("-", "_")
        types = prop.get("type") or []
        types = [types] if isinstance(types, str) else types
        if variable not in os.environ or not {"array", "object"} & set(types):
            continue
        try:
            json.loads(os.environ[variable])
        except ValueError:
            kind = "a JSON list" if "array" in types else "a JSON object"
            return f"environment variable {variable} ({name}) is not {kind}"
    return "an environment variable of a list or object setting is not JSON"


class EdgeStream(Stream):
    """The SDK's Stream, its private members turned into named methods and hooks.

    Bookmarks move only where a stream says so (`flush_state` after a window), never per record: the
    SDK's per-record state increment is switched off.
    """

    # True when every record holds only schema properties with JSON-ready values (see output.py):
    # then, unless a stream map or the catalog needs the SDK's per-record work, RECORD lines are
    # written directly.
    records_are_typed = False
    _line_writer: RecordLineWriter | bool | None = None
    # With batch_config: whether this stream's records go to batch files, and their encoder.
    _batching: bool | None = None
    _batch_encoder: RecordEncoder | bool | None = None
    _told_left_out = False
    # Records handed to the output in this sync, for the per-window lines and the summary.
    records_emitted = 0
    # Whether this sync's ACTIVATE_VERSION has been written (see `sync`).
    _activated = False

    @property
    def tap(self) -> Tap:
        """The tap this stream belongs to."""
        return self._tap

    def versions_snapshots(self) -> bool:
        """Whether each sync of this stream is a whole snapshot of what Amazon holds now, whose
        ACTIVATE_VERSION lets a target soft-delete the rows the snapshot no longer has."""
        return False

    def snapshot_whole(self) -> bool:
        """Whether this sync has emitted the stream's whole snapshot, every partition of it."""
        return False

    # The SDK marks `sync` final and sends ACTIVATE_VERSION (with `emit_activate_version_messages`)
    # before the first record: a target then marks every older row deleted at once, and a sync
    # that fails leaves rows Amazon still has marked deleted. Here the records carry the version
    # from the start, and ACTIVATE_VERSION follows only a whole snapshot, once.
    @override  # type: ignore[misc]
    def sync(self, context: Context | None = None) -> None:
        versioned = self.selected and self.versions_snapshots()
        if versioned and self._stream_version is None:
            self._stream_version = self._initialized_at // 1000
        super().sync(context)
        if versioned and self._stream_version is not None and not self._activated and self.snapshot_whole():
            self._activated = True
            self._write_activate_version_message(self._stream_version)

    def flush_state(self) -> None:
        """Write a STATE message now, with the state as it stands."""
        self.state_manager.is_flushed = False
        self._write_state_message()

    def write_schema(self) -> None:
        """Write this stream's SCHEMA message (the SDK writes it at the start of `sync`)."""
        self._write_schema_message()

    def sync_children_now(self, context: Context) -> None:
        """Sync the child streams for `context` now, whatever the SDK's child contexts would say."""
        self._sync_children(context)

    def keep_metadata(self, mapping: MetadataMapping) -> None:
        """Make `mapping` the stream's metadata, as the `metadata` property returns it."""
        self._metadata = mapping

    def after_record(self, record: dict[str, Any]) -> None:
        """Called after the SDK has processed (and written) each record of this stream."""

    @override
    def _increment_stream_state(self, latest_record: dict[str, Any], *, context: Context | None = None) -> None:
        # Deliberately empty: bookmarks are window ends, committed after a window's last record.
        return

    @override
    def _process_record(
        self,
        record: dict[str, Any],
        child_context: Context | None = None,
        partition_context: Context | None = None,
    ) -> None:
        super()._process_record(record, child_context, partition_context)
        self.after_record(record)

    @override
    def get_batch_config(self, config: Mapping[str, Any]) -> None:
        # `batch_config` is this tap's (batches.py, through `_write_record_message`): the SDK's batch
        # path would write a window's STATE before the BATCH message of its records.
        return None

    @override
    def _write_record_message(self, record: dict[str, Any]) -> None:
        self.records_emitted += 1
        batches = self._batch_files()
        if batches is not None:
            self._write_batched(record, batches)
            self.state_manager.is_flushed = False
            return
        writer = self._fast_writer()
        if writer is None or not writer.write(record):
            super()._write_record_message(record)
            return
        self.state_manager.is_flushed = False

    def _fast_writer(self) -> RecordLineWriter | None:
        """The direct writer, when nothing between record and output needs the SDK's per-record work."""
        if self._line_writer is None:
            deselected = self._plain_deselected()
            sink = self._tap.message_writer
            if deselected is not None and isinstance(sink, TapMessageWriter):
                self._line_writer = RecordLineWriter(
                    self.name, sink=sink, version=self._stream_version, deselected=deselected
                )
            else:
                self._line_writer = False
        return self._line_writer if isinstance(self._line_writer, RecordLineWriter) else None

    def _plain_deselected(self) -> list[str] | None:
        """The properties a direct writer leaves out of records; None when the SDK's per-record work
        (a stream map, flattening, a catalog that changes a property, untyped records) is needed."""
        maps = self.stream_maps
        plain = (
            self.records_are_typed
            and len(maps) == 1
            and type(maps[0]) is SameRecordTransform
            and not maps[0].flattening_enabled
        )
        left_out = self._left_out_by_catalog() if plain else None
        if left_out is None:
            return None
        if left_out and not self._told_left_out:
            self._told_left_out = True
            self.logger.warning(
                "%s: the catalog's schema has no %s; its RECORDs leave them out", self.name, ", ".join(left_out)
            )
        return [
            name
            for name in self.schema.get("properties", {})
            if name in left_out or not self.mask[("properties", name)]
        ]

    def _batch_files(self) -> BatchFiles | None:
        """The batch files this stream's records go to (with `batch_config`), None for RECORD messages.

        A stream whose snapshots are versioned keeps RECORD messages: target-postgres loads batch
        files without the `_sdc_*` columns, and its ACTIVATE_VERSION soft deletes match rows by them
        (`_sdc_table_version`), so a batched snapshot would leave stale rows (or mark live ones deleted).
        """
        if self._batching is None:
            sink = self._tap.message_writer
            batches = sink.batches if isinstance(sink, TapMessageWriter) else None
            versioned = self.versions_snapshots() or self._stream_version is not None
            self._batching = batches is not None and not versioned
            if batches is not None and versioned:
                self.logger.info(
                    "%s: RECORD messages, not BATCH: its snapshots end with ACTIVATE_VERSION, whose soft "
                    "deletes need the _sdc_* columns target-postgres leaves empty in batched rows",
                    self.name,
                )
        if not self._batching:
            return None
        sink = self._tap.message_writer
        return sink.batches if isinstance(sink, TapMessageWriter) else None

    def _write_batched(self, record: dict[str, Any], batches: BatchFiles) -> None:
        """Add `record` to the stream's batch file, as the JSON object its RECORD message would carry."""
        if self._batch_encoder is None:
            deselected = self._plain_deselected()
            self._batch_encoder = False if deselected is None else RecordEncoder(deselected=deselected)
        if isinstance(self._batch_encoder, RecordEncoder):
            encoded = self._batch_encoder.encode(record)
            if encoded is not None:
                batches.add(self.name, encoded)
                return
        # The SDK's path: conformed to the catalog's schema, through the stream maps, then encoded by
        # the SDK's own serializer, as a RECORD message's record would be.
        for message in self._generate_record_messages(record):
            batches.add(message.stream, serialize_json(message.record).encode())

    def _left_out_by_catalog(self) -> list[str] | None:
        """The properties the catalog's schema leaves out: RECORDs leave them out too, as on the SDK's
        path. None when the catalog changes a property: only the SDK's path conforms values to it."""
        ours = self.schema.get("properties", {})
        catalog = self.effective_schema
        theirs = catalog.get("properties", {})
        if any(name in ours and ours[name] != prop for name, prop in theirs.items()):
            return None
        if catalog.get("additionalProperties"):
            return []
        return [name for name in ours if name not in theirs]
