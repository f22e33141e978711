"""meltano.yml, the Meltano Hub definition, the README's settings table and `--about` agree."""

from __future__ import annotations

import json
import re
import runpy
import subprocess
import sys
from functools import cache
from typing import Any

import pytest
import yaml

from tests.meltano_env import REPO

sync_definitions = runpy.run_path(str(REPO / "scripts" / "sync_definitions.py"))

HUB_FILE = REPO / "hub" / "extractors" / "tap-amazon-sp.yml"
# Meltano hands every default it knows to the tap, and our name wins over the Airbyte alias: a
# default for either would hide the other, so neither has one in Meltano's definitions.
NO_DEFAULT_IN_MELTANO = {"wait_between_requests", "wait_to_avoid_fatal_errors"}
# From the Hub's schemas/plugin_definitions/extractors.schema.json and its setting schema.
HUB_KEYS = {
    "name", "pip_url", "variant", "namespace", "label", "description", "executable", "settings", "docs", "repo",
    "logo_url", "hidden", "python", "settings_group_validation", "commands", "capabilities", "metadata", "schema",
    "select", "maintenance_status", "quality", "domain_url", "keywords", "requires", "definition", "next_steps",
    "settings_preamble", "usage", "prereq", "supported_python_versions", "log_parser",
}
HUB_SETTING_KEYS = {
    "name", "label", "description", "kind", "value", "options", "sensitive", "placeholder", "tooltip",
    "documentation", "env", "aliases", "hidden", "value_processor", "value_post_processor", "oauth",
}
HUB_KINDS = {
    "string", "password", "date_iso8601", "integer", "decimal", "boolean", "options", "array", "object", "email",
    "file", "hidden", "oauth",
}


def about(fmt: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", "--about", "--format", fmt],
        capture_output=True, text=True, cwd=REPO, check=True,
    )
    return proc.stdout


@cache
def about_json() -> dict[str, Any]:
    return json.loads(about("json"))


def meltano_project() -> dict[str, Any]:
    return yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))


def meltano_extractor() -> dict[str, Any]:
    return next(p for p in meltano_project()["plugins"]["extractors"] if p["name"] == "tap-amazon-sp")


def hub_extractor() -> dict[str, Any]:
    return yaml.safe_load(HUB_FILE.read_text(encoding="utf-8"))


def expected_kind(prop: dict[str, Any]) -> str:
    """Meltano's kind for a setting: the rule scripts/sync_definitions.py writes the files with."""
    return str(sync_definitions["kind"](prop))


DEFINITIONS = {"meltano.yml": meltano_extractor, "hub": hub_extractor}


@pytest.mark.parametrize("which", list(DEFINITIONS))
def test_every_setting_of_about_is_declared_alike(which: str):
    definition = DEFINITIONS[which]()
    properties = about_json()["settings"]["properties"]
    settings = definition["settings"]
    assert [s["name"] for s in settings] == list(properties)
    for setting in settings:
        prop = properties[setting["name"]]
        name = setting["name"]
        assert setting["kind"] == expected_kind(prop), name
        assert bool(setting.get("sensitive")) == bool(prop.get("secret")), name
        assert setting["description"] == prop["description"], name
        assert setting.get("label") == prop.get("title", setting.get("label")), name
        assert setting.get("label"), f"{name} has no label"
        if "enum" in prop:
            assert [o["value"] for o in setting["options"]] == prop["enum"], name
        if "value" in setting:
            assert setting["value"] == prop.get("default"), name
        elif "default" in prop:
            assert name in NO_DEFAULT_IN_MELTANO, f"{name}: --about has default {prop['default']!r}"
    assert definition["capabilities"] == about_json()["capabilities"]
    assert definition["namespace"] == "tap_amazon_sp"
    assert definition["executable"] == "tap-amazon-sp"
    required = about_json()["settings"]["required"]
    assert definition["settings_group_validation"][0] == required
    # The Airbyte client-ID alias satisfies the requirement too.
    assert definition["settings_group_validation"][1] == ["lwa_app_id", *required[1:]]


def test_hub_definition_matches_meltano_yml_and_the_hub_format():
    hub, local = hub_extractor(), meltano_extractor()
    assert hub["settings"] == local["settings"]
    assert hub["capabilities"] == local["capabilities"]
    assert hub["settings_group_validation"] == local["settings_group_validation"]
    assert (hub["name"], hub["namespace"], hub["variant"]) == ("tap-amazon-sp", "tap_amazon_sp", "amazon-sp-oss")
    assert set(hub) <= HUB_KEYS
    assert hub["quality"] in ("gold", "silver", "bronze", "unknown")
    assert hub["supported_python_versions"] == about_json()["supported_python_versions"]
    for setting in hub["settings"]:
        assert set(setting) <= HUB_SETTING_KEYS, setting["name"]
        assert setting["kind"] in HUB_KINDS


def test_meltano_yml_holds_no_secret_value():
    project = meltano_project()
    sensitive = {s["name"] for s in meltano_extractor()["settings"] if s.get("sensitive")}
    loader = next(p for p in project["plugins"]["loaders"] if p["name"] == "target-postgres")
    sensitive_target = {s["name"] for s in loader["settings"] if s.get("sensitive")}
    assert sensitive == {"lwa_client_secret", "refresh_token"}
    assert sensitive_target == {"password", "sqlalchemy_url"}
    configs = [("tap-amazon-sp", meltano_extractor().get("config", {})), ("target-postgres", loader.get("config", {}))]
    for environment in project["environments"]:
        plugins = (environment.get("config") or {}).get("plugins", {})
        for plugin in plugins.get("extractors", []) + plugins.get("loaders", []):
            configs.append((plugin["name"], plugin.get("config", {})))
    for name, config in configs:
        secret_names = sensitive if name == "tap-amazon-sp" else sensitive_target
        assert not secret_names & set(config), f"{name} has a secret in meltano.yml"


def test_readme_settings_table_is_the_one_about_prints():
    table = re.findall(r"^\|.*\|$", about("markdown"), flags=re.MULTILINE)
    assert len(table) > 10
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "\n".join(table) in readme, "regenerate the README's settings table: tap-amazon-sp --about --format markdown"


def test_readme_streams_table_lists_every_stream_of_both_account_types():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert sync_definitions["with_streams_table"](readme) == readme, (
        "README's streams table is stale: run scripts/sync_definitions.py"
    )
    for account_type in ("Seller", "Vendor"):
        for row in sync_definitions["stream_rows"](account_type):
            assert f"| {row[0]} |" in readme
