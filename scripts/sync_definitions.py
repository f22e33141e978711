"""Rewrite what mirrors the tap: settings (README table, meltano.yml, Hub file) and the README streams table.

Run after adding or changing a setting or a stream: `.venv/bin/python scripts/sync_definitions.py`.
tests/sim/test_meltano_definitions.py fails until they agree with `--about` and the tap's streams again.

After changing target-postgres's version in meltano.yml, write its lock file from the installed target:
`.venv/bin/python scripts/sync_definitions.py --lock-target .meltano/loaders/target-postgres/venv/bin/target-postgres`
(tests/e2e/test_e2e_meltano.py compares it with the target Meltano installs).
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
sys.path.insert(0, str(REPO))
from tap_amazon_sp.settings import AIRBYTE_NAMES, BY_NAME, SETTINGS  # noqa: E402

# Meltano hands every default it knows to the tap, and our name wins over the Airbyte alias: a
# default for either would hide the other.
NO_DEFAULT = {name for setting in SETTINGS if setting.aliases for name in (setting.name, *setting.aliases)}


def about(fmt: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", "--about", "--format", fmt],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    ).stdout


def _types(prop: dict[str, Any]) -> set[str]:
    """The JSON types a property takes, those of its oneOf/anyOf alternatives included."""
    types = prop.get("type", [])
    found = {types} if isinstance(types, str) else set(types)
    for alternative in prop.get("oneOf", []) + prop.get("anyOf", []):
        if isinstance(alternative, dict):
            found |= _types(alternative)
    return found - {"null"}


def kind(prop: dict[str, Any]) -> str:
    types = _types(prop)
    if prop.get("secret"):
        return "password"
    if prop.get("format") == "date-time":
        return "date_iso8601"
    if "enum" in prop:
        return "options"
    if len(types) > 1:
        # A value of several types (faker's seed: a number, text or a boolean): text, or a list.
        return "array" if "array" in types else "string"
    # Not `decimal`: Meltano reads such a value from the environment as a Decimal, and then cannot
    # write it into the tap's config ("Object of type Decimal is not JSON serializable"). As
    # `string` it passes as text (a number in meltano.yml stays a number), which the tap reads.
    for json_type, meltano_kind in (
        ("boolean", "boolean"),
        ("integer", "integer"),
        ("number", "string"),
        ("array", "array"),
        ("object", "object"),
        ("string", "string"),
    ):
        if json_type in types:
            return meltano_kind
    raise ValueError(f"no Meltano kind for {prop}")


def setting_properties(properties: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(Meltano setting name, --about property) of every setting, in --about's order.

    An object whose properties are all plain settings (batch_config, faker_config) becomes one
    dotted setting per leaf, `batch_config.encoding.format`, as the Hub's definitions have them
    (Meltano nests them back into the object); the others (stream_maps, whose keys are stream names)
    stay objects.
    """
    found: list[tuple[str, dict[str, Any]]] = []
    for name, prop in properties.items():
        nested = prop.get("properties") or {}
        if "object" in _types(prop) and nested and not any(key.startswith("__") for key in nested):
            found += setting_properties(nested, f"{prefix}{name}.")
        else:
            found.append((prefix + name, prop))
    return found


# Option labels that title case would spell wrong.
OPTION_LABELS = {"jsonl": "JSONL", "gzip": "GZIP"}


def _option_label(setting: str, value: Any) -> str:
    if setting == "region":
        from tap_amazon_sp import marketplaces

        market = marketplaces.by_country(str(value))
        assert market is not None
        return f"{value} ({market.sales_channel}{', as UK' if value in marketplaces.COUNTRY_ALIASES else ''})"
    return OPTION_LABELS.get(str(value), str(value).title())


def settings_entries() -> list[dict[str, Any]]:
    about_settings = json.loads(about("json"))["settings"]["properties"]
    entries = []
    for name, prop in setting_properties(about_settings):
        entry: dict[str, Any] = {"name": name, "kind": kind(prop)}
        if prop.get("secret"):
            entry["sensitive"] = True
        if name in AIRBYTE_NAMES:
            # Accepted for migrated configs; shown, they would read as duplicates of ours.
            entry["hidden"] = True
        if "default" in prop and name not in NO_DEFAULT:
            entry["value"] = prop["default"]
        entry["label"] = prop.get("title") or name.replace("_", " ").replace(".", " ").title()
        entry["description"] = prop.get("description", "")
        if "enum" in prop:
            entry["options"] = [{"label": _option_label(name, v), "value": v} for v in prop["enum"] if v is not None]
        entries.append(entry)
    return entries


def dump(entries: list[dict[str, Any]], indent: str) -> str:
    text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))


HUB_FILE = REPO / "hub" / "extractors" / "tap-amazon-sp.yml"
MAINTAINER_FILE = REPO / "hub" / "maintainers.yml"


def repository_url() -> str:
    """The project's repository, from pyproject.toml (read without tomllib, which 3.10 lacks)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^Repository = "([^"]+)"', text, flags=re.MULTILINE)
    assert found, "pyproject.toml names no Repository under [project.urls]"
    return found.group(1)


def hub_definition(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The Hub's definition: what the Hub file says by hand, the rest from --about and pyproject.toml.

    The variant is the maintainer's name (the Hub's CI looks it up in its maintainers list, where
    hub/maintainers.yml is our entry); until the package is on PyPI, pip installs it from the repository.
    """
    definition = yaml.safe_load(HUB_FILE.read_text(encoding="utf-8"))
    about_json = json.loads(about("json"))
    maintainer = yaml.safe_load(MAINTAINER_FILE.read_text(encoding="utf-8"))[0]
    repo = repository_url()
    required = list(about_json["settings"]["required"])
    definition.update(
        {
            "variant": maintainer["name"],
            "repo": repo,
            "pip_url": f"git+{repo}.git",
            "capabilities": about_json["capabilities"],
            "supported_python_versions": about_json["supported_python_versions"],
            "settings_group_validation": required_groups(required),
            "settings": entries,
        }
    )
    return definition


def required_groups(required: list[str]) -> list[list[str]]:
    """The sets of settings that make a config complete: the required ones, and each with an
    Airbyte name in place of ours."""
    groups = [required]
    for setting in SETTINGS:
        if setting.name in required:
            groups += [[alias if name == setting.name else name for name in required] for alias in setting.aliases]
    return groups


def hub_text(definition: dict[str, Any]) -> str:
    """The Hub file as the Hub's yamllint wants it: keys sorted at every level, block style."""
    return yaml.safe_dump(definition, sort_keys=True, allow_unicode=True, width=110, default_flow_style=False)


def replace_block(text: str, start: str, end_pattern: str | None, block: str) -> str:
    """Replace what follows `start` up to `end_pattern` (or the end of the text) with `block`."""
    begin = text.index(start) + len(start)
    match = re.compile(end_pattern, re.MULTILINE).search(text, begin) if end_pattern else None
    stop = match.start() if match else len(text)
    return text[:begin] + "\n" + block + ("\n" if match else "") + text[stop:]


STREAMS_START = "<!-- streams table: scripts/sync_definitions.py writes it -->"
STREAMS_END = "<!-- end of streams table -->"


def stream_rows(account_type: str) -> list[tuple[str, ...]]:
    """(stream, source, primary key, replication key, window cap, soft deletes, selected by default, lifecycle)
    of every stream of one account type."""
    from tap_amazon_sp.tap import TapAmazonSP

    config = {"lwa_client_id": "x", "lwa_client_secret": "x", "refresh_token": "x", "account_type": account_type}
    tap = TapAmazonSP(config=config, parse_env_config=False, validate_config=False, setup_mapper=False)
    rows: list[tuple[str, ...]] = []
    for stream in tap.streams.values():
        # Every stream of the tap says where it reads from and how wide its windows are.
        described: Any = stream
        spec = getattr(stream, "spec", None)
        cap_text = getattr(described, "window_description", None) or described.window.describe()
        if spec is not None and spec.regional:
            cap_text += ", one request per region for all its marketplaces"
        rows.append(
            (
                f"`{stream.name}`",
                str(described.source),
                ", ".join(stream.primary_keys or []) or "(none)",
                stream.replication_key or "(full table)",
                cap_text,
                "yes" if described.reads_everything() else "no",
                "yes" if stream.selected_by_default else "no",
                described.lifecycle.describe(),
            )
        )
    return rows


def streams_table() -> str:
    """The README's streams table, one per account type."""
    parts = []
    for account_type in BY_NAME["account_type"].choices:
        rows = stream_rows(account_type)
        chosen = sum(row[6] == "yes" for row in rows)
        parts.append(
            f"**{account_type}** accounts (`account_type: {account_type}`), {len(rows)} streams,"
            f" {chosen} of them selected by default:\n"
        )
        parts.append(
            "| Stream | API or report type | Primary key | Replication key | Window per request | Soft deletes"
            " | Selected by default | Lifecycle |"
        )
        parts.append("|:--|:--|:--|:--|:--|:--|:--|:--|")
        parts.extend("| " + " | ".join(row) + " |" for row in rows)
        parts.append("")
    return "\n".join(parts).rstrip("\n")


def with_streams_table(text: str) -> str:
    begin = text.index(STREAMS_START) + len(STREAMS_START)
    stop = text.index(STREAMS_END)
    return text[:begin] + "\n" + streams_table() + "\n" + text[stop:]


TARGET_LOCK = REPO / "plugins" / "loaders" / "target-postgres--meltanolabs.lock"
# target-postgres does not mark these secret in its --about; the Hub's definition does.
TARGET_SECRETS = {"password", "sqlalchemy_url", "ssh_tunnel.private_key", "ssh_tunnel.private_key_password"}


def target_lock(about_json: dict[str, Any]) -> dict[str, Any]:
    """target-postgres's Meltano lock file (the Hub's meltanolabs variant, as `meltano lock` writes one),
    its settings from the installed target's --about by the same rules as the tap's."""
    settings = []
    for name, prop in setting_properties(about_json["settings"]["properties"]):
        entry: dict[str, Any] = {"name": name, "kind": kind(prop)}
        if prop.get("secret") or name in TARGET_SECRETS:
            entry.update(kind="password", sensitive=True)
        entry["label"] = prop.get("title") or name.replace("_", " ").replace(".", " ").title()
        entry["description"] = prop.get("description", "")
        if prop.get("default") is not None:
            entry["value"] = prop["default"]
        if "enum" in prop:
            entry["options"] = [{"label": _option_label(name, v), "value": v} for v in prop["enum"] if v is not None]
        settings.append(entry)
    return {
        "plugin_type": "loaders",
        "name": "target-postgres",
        "namespace": "target_postgres",
        "variant": "meltanolabs",
        "label": "Postgres",
        "repo": "https://github.com/MeltanoLabs/target-postgres",
        "pip_url": "meltanolabs-target-postgres",
        "executable": "target-postgres",
        "description": about_json.get("description") or "PostgreSQL database loader",
        "capabilities": about_json["capabilities"],
        "settings": settings,
    }


def lock_text(lock: dict[str, Any]) -> str:
    return json.dumps(lock, indent=2, ensure_ascii=False) + "\n"


def write_target_lock(executable: str) -> None:
    about_json = json.loads(
        subprocess.run(
            [executable, "--about", "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    TARGET_LOCK.parent.mkdir(parents=True, exist_ok=True)
    TARGET_LOCK.write_text(lock_text(target_lock(about_json)), encoding="utf-8")


def main() -> None:
    if sys.argv[1:2] == ["--lock-target"]:
        write_target_lock(sys.argv[2])
        return
    entries = settings_entries()
    meltano = REPO / "meltano.yml"
    meltano.write_text(
        replace_block(meltano.read_text(encoding="utf-8"), "\n    settings:", r"^  loaders:", dump(entries, "    ")),
        encoding="utf-8",
    )
    HUB_FILE.write_text(hub_text(hub_definition(entries)), encoding="utf-8")
    table = "\n".join(re.findall(r"^\|.*\|$", about("markdown"), flags=re.MULTILINE))
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    text = re.sub(
        r"^\| Setting \| Required \|.*?(?=\n[^|])", lambda _m: table, text, count=1, flags=re.MULTILINE | re.DOTALL
    )
    readme.write_text(with_streams_table(text), encoding="utf-8")


if __name__ == "__main__":
    main()
