"""`--test`: the SDK runs its test from the option's callback, before --catalog may have been read,
so the tap notes the mode there and runs it from `invoke`, which has every option. `--test` (mode
`all`) is the connection check, which requests no report; `--test=records` the SDK's record-by-record
test; `--test=schema` stays the SDK's own."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from singer_sdk.tap_base import CliTestOptionValue

from tap_amazon_sp.connection_check import ConnectionCheck

if TYPE_CHECKING:
    from tap_amazon_sp.tap import TapAmazonSP

# Where the click context carries the mode from the option's callback to `invoke`.
TEST_MODE = "tap_amazon_sp.test"
TEST_RECORDS = "records"
TEST_MODES = (CliTestOptionValue.All.value, TEST_RECORDS)
SDK_TEST_MODES = (CliTestOptionValue.Disabled.value, CliTestOptionValue.Schema.value)
TEST_HELP = (
    "Use --test to check the connection at no report cost: Login with Amazon, then one cheap "
    "call per API the selected streams use. --test=records syncs one record of every stream "
    "(it requests reports); --test=schema prints the SCHEMA messages."
)


def note_test_mode(ctx: click.Context, param: click.Parameter, value: str) -> None:
    """Keep a mode `invoke` runs for it, or stop naming the modes there are."""
    if value not in TEST_MODES:
        raise click.BadParameter(
            f"{value!r}: use --test (a connection check that requests no report), --test=records or --test=schema",
            ctx=ctx,
            param=param,
        )
    ctx.meta[TEST_MODE] = value


def noted_test_mode() -> str | None:
    """The `--test` mode `invoke` is to run, if any."""
    mode = click.get_current_context().meta.get(TEST_MODE)
    return None if mode is None else str(mode)


def run_test(make_tap: Callable[..., TapAmazonSP], mode: str, options: dict[str, Any]) -> int:
    """Run `--test` (mode `all`) or `--test=records` with `invoke`'s options; the exit status."""
    config, catalog = options.get("config"), options.get("catalog")
    tap = make_tap(
        config=dict(getattr(config, "config", None) or {}),
        catalog=None if catalog is None else json.loads(catalog.read()),
        parse_env_config=bool(getattr(config, "parse_env", False)),
        validate_config=True,
    )
    if mode == TEST_RECORDS:
        # The SDK's test: one record of every stream, each forced on (reports are requested).
        tap.run_connection_test()
        return 0
    selected = [stream for stream in tap.streams.values() if stream.selected]
    return 0 if ConnectionCheck(tap.runtime, selected, tap.logger).run() else 1


def with_test_help(command: click.Command) -> click.Command:
    """The SDK's command, its `--test` option saying what each mode costs."""
    for option in command.params:
        if option.name == "test" and isinstance(option, click.Option):
            option.help = TEST_HELP
    return command
