"""Rewrite what mirrors the tap: settings (README table, meltano.yml, Hub file) and the README streams table.

Run after adding or changing a setting or a stream: `.venv/bin/python scripts/sync_definitions.py`.
tests/test_meltano_definitions.py fails until they agree with `--about` and the tap's streams again.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
# Meltano hands every default it knows to the tap, and our name wins over the Airbyte alias: a
# default for either would hide the other.
NO_DEFAULT = {"wait_between_requests", "wait_to_avoid_fatal_errors"}


def about(fmt: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", "--about", "--format", fmt],
        capture_output=True, text=True, cwd=REPO, check=True,
    ).stdout


def kind(prop: dict[str, Any]) -> str:
    types = prop.get("type", [])
    types = [types] if isinstance(types, str) else types
    if prop.get("secret"):
        return "password"
    if prop.get("format") == "date-time":
        return "date_iso8601"
    if "enum" in prop:
        return "options"
    # Not `decimal`: Meltano reads such a value from the environment as a Decimal, and then cannot
    # write it into the tap's config ("Object of type Decimal is not JSON serializable"). As
    # `string` it passes as text (a number in meltano.yml stays a number), which the tap reads.
    for json_type, meltano_kind in (("boolean", "boolean"), ("integer", "integer"), ("number", "string"),
                                    ("array", "array"), ("object", "object"), ("string", "string")):
        if json_type in types:
            return meltano_kind
    raise ValueError(f"no Meltano kind for {prop}")


def settings_entries() -> list[dict[str, Any]]:
    properties = json.loads(about("json"))["settings"]["properties"]
    entries = []
    for name, prop in properties.items():
        entry: dict[str, Any] = {"name": name, "kind": kind(prop)}
        if prop.get("secret"):
            entry["sensitive"] = True
        if "default" in prop and name not in NO_DEFAULT:
            entry["value"] = prop["default"]
        entry["label"] = prop.get("title") or name.replace("_", " ").title()
        entry["description"] = prop.get("description", "")
        if "enum" in prop:
            entry["options"] = [{"label": str(v).title(), "value": v} for v in prop["enum"]]
        entries.append(entry)
    return entries


def dump(entries: list[dict[str, Any]], indent: str) -> str:
    text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))


def replace_block(text: str, start: str, end_pattern: str | None, block: str) -> str:
    """Replace what follows `start` up to `end_pattern` (or the end of the text) with `block`."""
    begin = text.index(start) + len(start)
    match = re.compile(end_pattern, re.MULTILINE).search(text, begin) if end_pattern else None
    stop = match.start() if match else len(text)
    return text[:begin] + "\n" + block + ("\n" if match else "") + text[stop:]


STREAMS_START = "<!-- streams table: scripts/sync_definitions.py writes it -->"
STREAMS_END = "<!-- end of streams table -->"


def stream_rows(account_type: str) -> list[tuple[str, ...]]:
    """(stream, source, primary key, replication key, window cap, lifecycle) of every stream of one account type."""
    sys.path.insert(0, str(REPO))
    from tap_amazon_sp import catalogue
    from tap_amazon_sp.tap import TapAmazonSP

    config = {"lwa_client_id": "x", "lwa_client_secret": "x", "refresh_token": "x", "account_type": account_type}
    tap = TapAmazonSP(config=config, parse_env_config=False, validate_config=False, setup_mapper=False)
    rows: list[tuple[str, ...]] = []
    for stream in tap.streams.values():
        # Every stream of the tap says where it reads from and how wide its windows are.
        described: Any = stream
        spec = getattr(stream, "spec", None)
        cap = described.window_cap_days
        cap_text = getattr(described, "window_description", None) or (f"{cap} days" if cap else "snapshot")
        if spec is not None:
            analytics = catalogue.ANALYTICS.get(spec.report_type)
            if spec.list_only:
                cap_text = "Amazon's settlement period"
            elif analytics is not None:
                periods = "one `reportPeriod`" if not analytics.spans_periods else "whole `reportPeriod`s"
                cap_text = f"{periods}; ends {analytics.hold_back_hours} h before now"
            else:
                if spec.whole_days:
                    cap_text += " of whole UTC days"
                if spec.hold_back_hours:
                    cap_text += f"; ends {spec.hold_back_hours} h before now"
                elif spec.whole_days:
                    cap_text += " (today waits until it is over)"
                if spec.regional:
                    cap_text += ", one request per region for all its marketplaces"
        rows.append((
            f"`{stream.name}`", str(described.source), ", ".join(stream.primary_keys or []) or "(none)",
            stream.replication_key or "(full table)", cap_text, described.lifecycle.describe(),
        ))
    return rows


def streams_table() -> str:
    """The README's streams table, one per account type."""
    parts = []
    for account_type in ("Seller", "Vendor"):
        rows = stream_rows(account_type)
        parts.append(f"**{account_type}** accounts (`account_type: {account_type}`), {len(rows)} streams:\n")
        parts.append("| Stream | API or report type | Primary key | Replication key | Window per request | Lifecycle |")
        parts.append("|:--|:--|:--|:--|:--|:--|")
        parts.extend("| " + " | ".join(row) + " |" for row in rows)
        parts.append("")
    return "\n".join(parts).rstrip("\n")


def with_streams_table(text: str) -> str:
    begin = text.index(STREAMS_START) + len(STREAMS_START)
    stop = text.index(STREAMS_END)
    return text[:begin] + "\n" + streams_table() + "\n" + text[stop:]


def main() -> None:
    entries = settings_entries()
    meltano = REPO / "meltano.yml"
    meltano.write_text(
        replace_block(meltano.read_text(encoding="utf-8"), "\n    settings:", r"^  loaders:", dump(entries, "    ")),
        encoding="utf-8",
    )
    hub = REPO / "hub" / "extractors" / "tap-amazon-sp.yml"
    hub.write_text(replace_block(hub.read_text(encoding="utf-8"), "\nsettings:", None, dump(entries, "")),
                   encoding="utf-8")
    table = "\n".join(re.findall(r"^\|.*\|$", about("markdown"), flags=re.MULTILINE))
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    text = re.sub(r"^\| Setting \| Required \|.*?(?=\n[^|])", lambda _m: table, text, count=1,
                  flags=re.MULTILINE | re.DOTALL)
    readme.write_text(with_streams_table(text), encoding="utf-8")


if __name__ == "__main__":
    main()
