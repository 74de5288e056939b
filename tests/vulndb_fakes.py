"""Local stand-ins for the public services the vulnerability code talks to.

A real HTTP server on 127.0.0.1 (port 0) speaking the real protocols: the OSV export
(``/<Ecosystem>/all.zip``), the OSV API (``POST /v1/querybatch``, ``GET /v1/vulns/<id>``) and the
PyPI JSON API (``GET /pypi/<name>/json``). Tests fill ``FakeSite`` with what it should answer.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "osv"


def fixture_advisories() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))}


def zip_of(documents: Mapping[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, doc in documents.items():
            archive.writestr(f"{name}.json", doc if isinstance(doc, bytes) else json.dumps(doc))
    return buffer.getvalue()


@dataclass
class FakeSite:
    exports: dict[str, bytes] = field(default_factory=dict)
    """Ecosystem -> the bytes served as ``/<Ecosystem>/all.zip``."""
    truncate: bool = False
    """Announce the full length, send half, close: an interrupted download."""
    advisories: dict[str, dict[str, Any]] = field(default_factory=dict)
    affected: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """(name, version) -> advisory ids the batch API answers."""
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


def _handler(site: FakeSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            site.requests.append(f"GET {self.path}")
            parts = self.path.strip("/").split("/")
            if len(parts) == 2 and parts[1] == "all.zip" and parts[0] in site.exports:
                body = site.exports[parts[0]]
                if site.truncate:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(200, body, "application/zip")
            elif parts[:2] == ["v1", "vulns"] and len(parts) == 3 and parts[2] in site.advisories:
                self._send(200, json.dumps(site.advisories[parts[2]]).encode())
            elif len(parts) == 3 and parts[0] == "pypi" and parts[2] == "json" and parts[1] in site.projects:
                self._send(200, json.dumps(site.projects[parts[1]]).encode())
            else:
                self._send(404, b'{"message": "Not Found"}')

        def do_POST(self) -> None:
            site.requests.append(f"POST {self.path}")
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/v1/querybatch":
                self._send(404, b"{}")
                return
            results = []
            for query in body.get("queries", []):
                ids = site.affected.get((query["package"]["name"], query["version"]), [])
                results.append({"vulns": [{"id": i, "modified": "2024-01-01T00:00:00Z"} for i in ids]} if ids else {})
            self._send(200, json.dumps({"results": results}).encode())

    return Handler


@contextmanager
def serve(site: FakeSite) -> Iterator[str]:
    """Run ``site`` on a loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def pypi_project(releases: Mapping[str, str], yanked: tuple[str, ...] = ()) -> dict[str, Any]:
    """A ``/pypi/<name>/json`` answer: version -> upload date (ISO), one file each."""
    return {
        "info": {"version": max(releases, default="")},
        "releases": {
            version: [{"upload_time_iso_8601": f"{day}T12:00:00.000000Z", "yanked": version in yanked}]
            for version, day in releases.items()
        },
    }
