"""A real HTTP server on 127.0.0.1 (port 0) for the probe tests, with well-behaved and hostile
routes. Tests give it a mapping of path -> handler; a handler gets the request handler object and
writes the answer itself (so it can also write garbage, stall, or hang up)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[[BaseHTTPRequestHandler], None]


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes | str | Any,
         content_type: str = "application/json") -> None:
    if not isinstance(body, bytes | str):
        body = json.dumps(body)
    data = body.encode() if isinstance(body, str) else body
    handler.send_response(status)
    handler.send_header("content-type", content_type)
    handler.send_header("content-length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def answer(status: int, body: Any = "", content_type: str = "application/json") -> Route:
    return lambda h: send(h, status, body, content_type)


def slow(seconds: float, status: int = 200) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        send(h, status, "late", "text/plain")

    return route


def huge(megabytes: int) -> Route:
    """Declares nothing about its length and streams ``megabytes`` of JSON-looking bytes."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("content-type", "application/json")
        h.end_headers()
        chunk = b"[" + b"1," * 32767
        try:
            for _ in range(megabytes * 16):
                h.wfile.write(chunk)
        except OSError:
            pass
        h.close_connection = True

    return route


def garbage(h: BaseHTTPRequestHandler) -> None:
    """Not HTTP at all, then hang up."""
    h.wfile.write(b"\x00\xffSSH-2.0-not-http\r\n\r\n")
    h.close_connection = True


class _Handler(BaseHTTPRequestHandler):
    routes: Mapping[str, Route] = {}
    seen: list[tuple[str, str, bytes]]

    def _dispatch(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append((self.command, self.path, body))
        path = self.path.split("?", 1)[0]
        route = self.routes.get(f"{self.command} {path}") or self.routes.get(path)
        if route is None:
            send(self, 404, {"detail": "not found"})
        else:
            route(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 refuses a load probe's 64 simultaneous connects


@contextmanager
def serve(routes: Mapping[str, Route], *, keep_alive: bool = False
          ) -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """Yields the base URL (``http://127.0.0.1:PORT``) and the list of requests seen. HTTP/1.0
    (a connection per request) unless ``keep_alive``."""
    seen: list[tuple[str, str, bytes]] = []
    protocol = "HTTP/1.1" if keep_alive else "HTTP/1.0"
    handler = type("Handler", (_Handler,), {"routes": dict(routes), "seen": seen, "protocol_version": protocol})
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
