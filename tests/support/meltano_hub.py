"""A Meltano Hub on loopback: the two documents `meltano add` asks a Hub for, for our definitions.

Meltano (4.4, `meltano/core/hub/client.py`) reads `{hub_url}/meltano/api/v1/plugins/<type>/index`, a
JSON object keyed by plugin name giving each variant's `ref`, then the `ref`: the definition as JSON,
without the keys only the Hub's web pages use. `MELTANO_HUB_URL` points Meltano at this server.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

API_ROOT = "/meltano/api/v1"
# The keys of a definition the Hub's API serves (its schemas/api/extractors.schema.json); the
# others (quality, keywords, maintenance_status, domain_url, ...) are for its web pages.
API_KEYS = frozenset(
    {
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
        "requires",
        "supported_python_versions",
        "log_parser",
    }
)


@dataclass
class Plugin:
    """One variant of one plugin, as the Hub serves it."""

    plugin_type: str  # "extractors", "loaders"
    definition: dict[str, Any]
    logo_url: str | None = None

    @property
    def name(self) -> str:
        return str(self.definition["name"])

    @property
    def variant(self) -> str:
        return str(self.definition["variant"])


@dataclass
class LoopbackHub:
    """Serves `plugins` until closed; `requests` lists the paths Meltano asked for."""

    plugins: list[Plugin]
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hub.requests.append(self.path)
                body = hub.document(self.path)
                payload = json.dumps(body).encode() if body is not None else b'{"detail": "Not Found"}'
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def ref(self, plugin: Plugin) -> str:
        return f"{API_ROOT}/plugins/{plugin.plugin_type}/{plugin.name}--{plugin.variant}"

    def document(self, path: str) -> dict[str, Any] | None:
        for plugin_type in {p.plugin_type for p in self.plugins}:
            if path == f"{API_ROOT}/plugins/{plugin_type}/index":
                return {
                    p.name: {
                        "logo_url": p.logo_url,
                        "default_variant": p.variant,
                        "variants": {p.variant: {"ref": self.url + self.ref(p)}},
                    }
                    for p in self.plugins
                    if p.plugin_type == plugin_type
                }
        for plugin in self.plugins:
            if path == self.ref(plugin):
                return {k: v for k, v in plugin.definition.items() if k in API_KEYS}
        return None

    def __enter__(self) -> LoopbackHub:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
