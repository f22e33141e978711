"""tap-amazon-sp: settings and streams; everything else lives in the modules it names."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from functools import cached_property, partial
from typing import Any

import click
from jsonschema import Draft202012Validator
from singer_sdk import Stream
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.singerlib import StateMessage

from tap_amazon_sp import catalog_input, catalogue, cli_modes, discovery, json_files, state_input, stopping
from tap_amazon_sp.batches import BatchFiles
from tap_amazon_sp.client import AmazonSPStream, Runtime
from tap_amazon_sp.output import TapMessageWriter
from tap_amazon_sp.sdk_edge import EdgeTap
from tap_amazon_sp.settings import (
    CONFIG_SCHEMA,
    SECRETS,
    TYPED_SETTINGS,
    Settings,
    SettingsError,
    account_type,
    load_settings,
    region_of,
    resolve_aliases,
    typed_config,
)
from tap_amazon_sp.stopping import Interrupted

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

STREAM_NAMES = frozenset(spec.stream for spec in catalogue.REPORTS)


class TapAmazonSP(EdgeTap):
    """Singer tap for the Amazon Selling Partner API (SP-API): reports, incrementally and resumably."""

    name = "tap-amazon-sp"
    package_name = "tap-amazon-selling-partner"
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = TapMessageWriter

    def __init__(self, *, catalog: Any = None, **kwargs: Any) -> None:
        if isinstance(catalog, dict):
            catalog_input.check(catalog)
        # Read before the SDK parses the catalog, whose model drops it (catalog_input.py).
        self.catalog_methods = catalog_input.requested_methods(catalog)
        super().__init__(catalog=catalog, **kwargs)

    @override
    def check_config(self, *, raise_errors: bool) -> list[str]:
        # Our checks first: they name the setting in one line and never echo a secret.
        try:
            self._settings = load_settings(self.given_config, known_streams=STREAM_NAMES)
        except SettingsError as exc:
            errors = [str(exc)]
        else:
            errors = [_schema_error(e) for e in self._schema_errors()][:1]
        if errors and raise_errors:
            raise ConfigValidationError("Config validation failed", errors=errors, schema=self.config_jsonschema)
        if errors:
            self.logger.warning("Config validation failed: %s", errors[0])
        return errors

    def _schema_errors(self) -> list[Any]:
        schema = dict(self.config_jsonschema)
        self.append_builtin_config(schema)
        return list(Draft202012Validator(schema).iter_errors(typed_config(resolve_aliases(self.given_config))))

    @classmethod
    @override
    def env_config_schema(cls) -> dict[str, Any]:
        # `--config ENV`: the SDK casts integer settings with int(), so a typo ends in a traceback,
        # and reads a boolean word it does not know as false. This tap's own number and boolean
        # settings reach `load_settings` as the text they are, to be read or named as wrong.
        schema = super().env_config_schema()
        for name in TYPED_SETTINGS:
            schema["properties"][name] = {"type": ["string", "null"]}
        return schema

    @property
    def settings(self) -> Settings:
        """The validated settings (validated when the tap was created)."""
        settings = getattr(self, "_settings", None)
        if settings is None:
            settings = self._settings = load_settings(self.given_config, known_streams=STREAM_NAMES)
        return settings

    @property
    def marketplace_ids(self) -> tuple[str, ...]:
        return self.settings.marketplace_ids

    @cached_property
    def runtime(self) -> Runtime:
        """The token, usage plans and report engine every stream shares."""
        return Runtime.build(self.settings, self.logger, streams=lambda: self.streams.values())

    @override  # type: ignore[misc]
    def sync_all(self) -> None:
        # The SDK marks sync_all final; it is extended, not replaced: after every stream had its
        # turn, the passes that read streams further back (newest_first), then the partitions that
        # stopped at a report resting after a FATAL are taken up again. The streams that request no
        # report (`syncs_first`: settlements) go first, their reading overlapped with the building
        # of every other stream's newest reports rather than holding those back.
        began = time.monotonic()
        streams = self.streams
        ordered = sorted(streams.items(), key=lambda item: not getattr(item[1], "syncs_first", False))
        streams.clear()
        streams.update(ordered)
        batching = self._open_batches()
        try:
            super().sync_all()
            if "runtime" in self.__dict__:
                self.runtime.read_later_passes()
                self.runtime.take_up_deferred(self.logger)
            if batching is not None:
                batching.finish_batches()
        except BaseException:
            if batching is not None:
                batching.discard_batches()
            raise
        finally:
            # Whatever ended the sync, the block of what it did (if it got as far as the runtime).
            if "runtime" in self.__dict__:
                runtime = self.runtime
                records = {
                    s.name: s.records_emitted
                    for s in self.streams.values()
                    if s.selected and isinstance(s, AmazonSPStream)
                }
                runtime.client.progress.log_summary(
                    records, runtime.client.token.requests_sent, time.monotonic() - began
                )

    def _open_batches(self) -> TapMessageWriter | None:
        """With `batch_config`, the writer given the batch files the streams write to, their directory
        checked before any request (one line when it cannot be written)."""
        target = self.settings.batch
        writer = self.message_writer
        if target is None or not isinstance(writer, TapMessageWriter):
            return None
        target.check_writable()
        writer.batches = BatchFiles(target, tap_name=self.name, guard=writer.guard, announce=writer.write_now)
        return writer

    @classmethod
    @override
    def invoke(cls, **kwargs: Any) -> None:
        with stopping.one_line(cls.logger):
            for option, check in (("catalog", catalog_input.parse), ("state", state_input.parse)):
                given = kwargs.get(option)
                if given is not None:
                    # Checked here, where the file's name is known (the SDK would show a traceback).
                    text = given.read()
                    check(text, getattr(given, "name", "file"))
                    kwargs[option] = io.StringIO(text)
            mode = cli_modes.noted_test_mode()
            if mode is not None:
                sys.exit(cli_modes.run_test(cls, mode, kwargs))
            super().invoke(**kwargs)

    @classmethod
    @override
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        # The SDK shows a traceback for a config file it cannot read; checked first, in one line.
        for path in value:
            if path != "ENV":
                cls._quietly("reading the config", partial(json_files.check_config_file, path))
        return super().cb_config(ctx, param, value)

    @classmethod
    @override
    def cb_discover(cls, ctx: click.Context, param: click.Option, value: bool) -> None:
        cls._quietly("discovery", lambda: super(TapAmazonSP, cls).cb_discover(ctx, param, value))

    @classmethod
    @override
    def print_about(cls, output_format: str | None = None) -> None:
        cls._quietly("--about", lambda: super(TapAmazonSP, cls).print_about(output_format))

    @classmethod
    @override
    def print_version(cls, print_fn: Callable[[Any], None] = print) -> None:
        cls._quietly("--version", lambda: super(TapAmazonSP, cls).print_version(print_fn))

    @classmethod
    def _quietly(cls, doing: str, run: Callable[[], None]) -> None:
        """Run a CLI mode the SDK runs outside `invoke` (discovery, --about, --version, --test=schema)
        so that its failures are one line too."""
        with stopping.one_line(cls.logger, doing=doing):
            run()

    @classmethod
    @override
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        # `--test` and `--test=records` are run by `invoke` (cli_modes.py); `--test=schema` stays the SDK's.
        if value in cli_modes.SDK_TEST_MODES:
            cls._quietly("--test=schema", lambda: super(TapAmazonSP, cls).cb_test(ctx, param, value))
        else:
            cli_modes.note_test_mode(ctx, param, value)

    @classmethod
    @override
    def get_singer_command(cls) -> click.Command:
        return cli_modes.with_test_help(super().get_singer_command())

    @override
    def stop_on_signal(self, signum: int) -> None:
        # Only raise Interrupted, and not while a line is being written (stopping.py).
        writer = getattr(self, "message_writer", None)
        stop = Interrupted(signum, self._finish_interrupted)
        if isinstance(writer, TapMessageWriter):
            writer.guard.signal(stop)
        else:
            raise stop

    def _finish_interrupted(self) -> None:
        """The lines still queued, then the state as it stands: bookmarks after the last window
        emitted in full, and the reports requested for the windows that were not."""
        writer = self.message_writer
        if not isinstance(writer, TapMessageWriter):
            return
        writer.flush_lines()
        state = self.current_state
        if state:
            writer.write_message(StateMessage(value=state))

    @override
    def load_state(self, state: dict[str, Any]) -> None:
        state_input.check(state)
        super().load_state(state)

    @override
    def discover_streams(self) -> list[Stream]:
        config = self.given_config
        return discovery.discover(self, account_type(config), self.input_catalog, self.logger, region_of(config))


def _schema_error(error: Any) -> str:
    path = ".".join(str(p) for p in error.absolute_path) or "config"
    name = str(error.absolute_path[0]) if error.absolute_path else ""
    if name in SECRETS:
        return f"{path}: has the wrong type (a string is expected)"
    return f"{path}: {error.message}"


if __name__ == "__main__":
    TapAmazonSP.cli()
