"""A tiny real HTTP server on a free loopback port that answers what a test tells it to.

It stands in for a CDN at the network edge: honest files, HTML error pages, truncated bodies
(a Content-Length larger than what is sent before the connection closes), redirects, slowness.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/octet-stream"
    send_bytes: int | None = None  # send only this many bytes of `body`, then hang up
    fail_times: int = 0  # answer 503 this many times first
    delay: float = 0.0
    hits: int = 0


class FileServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_error(404)
                    return
                route.hits += 1
                if route.delay:
                    time.sleep(route.delay)
                if route.fail_times >= route.hits:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                sent = route.body if route.send_bytes is None else route.body[: route.send_bytes]
                self.wfile.write(sent)
                if route.send_bytes is not None:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(self, path: str, **kwargs) -> Route:
        self.routes[path] = Route(**kwargs)
        return self.routes[path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
