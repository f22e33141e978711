"""meltano.yml, the Meltano Hub definition, the README's settings table and `--about` agree."""

from __future__ import annotations

import json
import re
import runpy
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tap_amazon_sp.settings import AIRBYTE_NAMES
from tests.support.meltano_env import REPO

sync_definitions = runpy.run_path(str(REPO / "scripts" / "sync_definitions.py"))

HUB_FILE = REPO / "hub" / "extractors" / "tap-amazon-sp.yml"
# Meltano hands every default it knows to the tap, and our name wins over the Airbyte alias: a
# default for either would hide the other, so neither has one in Meltano's definitions.
NO_DEFAULT_IN_MELTANO = {"wait_between_requests", "wait_to_avoid_fatal_errors"}
# From the Hub's schemas/plugin_definitions/extractors.schema.json and its setting schema.
HUB_KEYS = {
    "name",
    "pip_url",
    "variant",
    "namespace",
    "label",
    "description",
    "executable",
    "settings",
    "docs",
    "repo",
    "logo_url",
    "hidden",
    "python",
    "settings_group_validation",
    "commands",
    "capabilities",
    "metadata",
    "schema",
    "select",
    "maintenance_status",
    "quality",
    "domain_url",
    "keywords",
    "requires",
    "definition",
    "next_steps",
    "settings_preamble",
    "usage",
    "prereq",
    "supported_python_versions",
    "log_parser",
}
HUB_SETTING_KEYS = {
    "name",
    "label",
    "description",
    "kind",
    "value",
    "options",
    "sensitive",
    "placeholder",
    "tooltip",
    "documentation",
    "env",
    "aliases",
    "hidden",
    "value_processor",
    "value_post_processor",
    "oauth",
}
HUB_KINDS = {
    "string",
    "password",
    "date_iso8601",
    "integer",
    "decimal",
    "boolean",
    "options",
    "array",
    "object",
    "email",
    "file",
    "hidden",
    "oauth",
}


def about(fmt: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "tap_amazon_sp.tap", "--about", "--format", fmt],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
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


def setting_properties() -> dict[str, dict[str, Any]]:
    """Meltano's setting names (dotted where --about nests plain settings) and their --about property."""
    return dict(sync_definitions["setting_properties"](about_json()["settings"]["properties"]))


DEFINITIONS = {"meltano.yml": meltano_extractor, "hub": hub_extractor}
SHARED_HUB = REPO.parent / "shared" / "meltano-hub"


@pytest.mark.parametrize("which", list(DEFINITIONS))
def test_every_setting_of_about_is_declared_alike(which: str):
    definition = DEFINITIONS[which]()
    properties = setting_properties()
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
        assert bool(setting.get("hidden")) == (name in AIRBYTE_NAMES), name
        if "enum" in prop:
            assert [o["value"] for o in setting["options"]] == [v for v in prop["enum"] if v is not None], name
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


def test_no_number_setting_is_a_meltano_decimal():
    # Meltano reads a decimal from the environment as a Decimal and cannot write it to the config.
    for which, definition in DEFINITIONS.items():
        assert all(s["kind"] != "decimal" for s in definition()["settings"]), which
    numbers = [name for name, prop in setting_properties().items() if "number" in prop.get("type", [])]
    assert "retry_base_seconds" in numbers


def test_batch_and_faker_settings_are_dotted_and_stream_maps_an_object():
    names = [s["name"] for s in hub_extractor()["settings"]]
    assert {"batch_config.encoding.format", "batch_config.storage.root", "faker_config.seed"} <= set(names)
    assert "batch_config" not in names and "faker_config" not in names
    assert "stream_maps" in names


def test_hub_definition_matches_meltano_yml_and_the_hub_format():
    hub, local = hub_extractor(), meltano_extractor()
    assert hub["settings"] == local["settings"]
    assert (hub["label"], hub["description"]) == (local["label"], local["description"])
    assert "Vendor" in hub["description"]
    assert hub["capabilities"] == local["capabilities"]
    assert hub["settings_group_validation"] == local["settings_group_validation"]
    assert (hub["name"], hub["namespace"]) == ("tap-amazon-sp", "tap_amazon_sp")
    assert set(hub) <= HUB_KEYS
    assert hub["quality"] in ("gold", "silver", "bronze", "unknown")
    assert hub["supported_python_versions"] == about_json()["supported_python_versions"]
    for setting in hub["settings"]:
        assert set(setting) <= HUB_SETTING_KEYS, setting["name"]
        assert setting["kind"] in HUB_KINDS
    region = next(s for s in hub["settings"] if s["name"] == "region")
    assert region["kind"] == "options" and {"US", "DE", "JP", "GB"} <= {o["value"] for o in region["options"]}


def test_hub_definition_names_its_maintainer_repository_and_an_installable_pip_url():
    hub = hub_extractor()
    maintainers = yaml.safe_load((REPO / "hub" / "maintainers.yml").read_text(encoding="utf-8"))
    # The Hub's CI looks the variant up in its _data/maintainers.yml; ours is the entry to add there.
    assert [m["name"] for m in maintainers] == [hub["variant"]]
    assert all(set(m) == {"name", "label", "url"} for m in maintainers)
    assert hub["repo"] == sync_definitions["repository_url"]()
    assert hub["repo"].startswith(maintainers[0]["url"] + "/")
    # Not on PyPI yet: pip installs it from the repository, as the README's Hub section says.
    assert hub["pip_url"] == f"git+{hub['repo']}.git"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert hub["pip_url"] in readme
    assert hub["logo_url"]


def test_hub_file_is_what_the_generator_writes():
    entries = sync_definitions["settings_entries"]()
    text = sync_definitions["hub_text"](sync_definitions["hub_definition"](entries))
    assert HUB_FILE.read_text(encoding="utf-8") == text, "run scripts/sync_definitions.py"


def test_hub_definition_passes_the_hubs_own_checks():
    """The Hub's JSON schema and yamllint rules, as its CI runs them (they live in ../shared)."""
    if not SHARED_HUB.exists():
        pytest.skip("../shared/meltano-hub (the Hub's schemas and lint rules) is not beside this checkout")
    import jsonschema
    from referencing import Registry, Resource
    from yamllint import config as yamllint_config
    from yamllint import linter

    schemas = SHARED_HUB / "schemas"

    def retrieve(uri: str) -> Resource:
        for path in schemas.rglob("*.schema.json"):
            if path.name == Path(uri).name:
                return Resource.from_contents(json.loads(path.read_text(encoding="utf-8")))
        raise LookupError(uri)

    base = schemas / "plugin_definitions" / "extractors.schema.json"
    schema = json.loads(base.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, registry=Registry(retrieve=retrieve))  # type: ignore[call-arg]
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(hub_extractor())]
    assert errors == []
    rules = yamllint_config.YamlLintConfig(file=str(SHARED_HUB / "yamllint.yaml"))
    for path in (HUB_FILE, REPO / "hub" / "maintainers.yml"):
        problems = [f"{p.line}:{p.column} {p.message}" for p in linter.run(path.read_text(encoding="utf-8"), rules)]
        assert problems == [], path.name


def test_meltano_yml_holds_no_secret_value():
    project = meltano_project()
    sensitive = {s["name"] for s in meltano_extractor()["settings"] if s.get("sensitive")}
    loader = next(p for p in project["plugins"]["loaders"] if p["name"] == "target-postgres")
    sensitive_target = {s["name"] for s in target_lock()["settings"] if s.get("sensitive")}
    assert sensitive == {"lwa_client_secret", "refresh_token"}
    assert {"password", "sqlalchemy_url"} <= sensitive_target
    configs = [("tap-amazon-sp", meltano_extractor().get("config", {})), ("target-postgres", loader.get("config", {}))]
    for environment in project["environments"]:
        plugins = (environment.get("config") or {}).get("plugins", {})
        for plugin in plugins.get("extractors", []) + plugins.get("loaders", []):
            configs.append((plugin["name"], plugin.get("config", {})))
    for name, config in configs:
        secret_names = sensitive if name == "tap-amazon-sp" else sensitive_target
        assert not secret_names & set(config), f"{name} has a secret in meltano.yml"


def target_lock() -> dict[str, Any]:
    return json.loads(TARGET_LOCK.read_text(encoding="utf-8"))


TARGET_LOCK = REPO / "plugins" / "loaders" / "target-postgres--meltanolabs.lock"


def test_target_postgres_is_defined_by_its_committed_lock_file():
    # Meltano's convention for a Hub plugin: meltano.yml names it and its variant, the lock file holds
    # its definition (tests/e2e/test_e2e_meltano.py checks it against the target Meltano installs).
    loader = next(p for p in meltano_project()["plugins"]["loaders"] if p["name"] == "target-postgres")
    assert set(loader) == {"name", "variant", "pip_url", "config"}
    lock = target_lock()
    assert (lock["name"], lock["variant"], lock["plugin_type"]) == ("target-postgres", loader["variant"], "loaders")
    names = {s["name"] for s in lock["settings"]}
    assert set(loader["config"]) <= names
    for environment in meltano_project()["environments"]:
        for plugin in ((environment.get("config") or {}).get("plugins") or {}).get("loaders", []):
            assert set(plugin.get("config", {})) <= names, environment["name"]
    assert TARGET_LOCK.read_text(encoding="utf-8") == sync_definitions["lock_text"](lock)


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
