"""The fault proxy itself: what each fate does to a request, as MotionHub's client sees it.

A dropped connection must reach MotionHub as "the request may have been sent, no answer"
(`request_sent` True), whether the proxy dropped it before or after forwarding: the client cannot
tell the two apart, so a create call is never resent in either case.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from motionhub.useapi.errors import UpstreamTrouble
from motionhub.useapi.http import Http
from tests.faults.proxy import FaultProxy


class _Upstream(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append(body.decode())
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "11")
        self.end_headers()
        self.wfile.write(b'{"ok": true}'[:11])

    def log_message(self, *args):
        pass


@pytest.fixture
def upstream():
    _Upstream.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _proxy(upstream, **rates) -> FaultProxy:
    return FaultProxy(upstream.server_address, lifetime=30, **rates).start()


def _call(proxy: FaultProxy):
    http = Http(proxy.url, "user:1-proxytesttoken", timeout=5, upload_timeout=5)
    return http.call("POST", "/videos/motion-upload", json_body={"n": 1}, expect_json=False)


def test_a_forwarded_request_arrives_and_is_answered(upstream):
    proxy = _proxy(upstream)
    try:
        assert _call(proxy) is None
    finally:
        proxy.stop()
    assert _Upstream.seen == ['{"n": 1}']
    assert proxy.tally.answers[("create call", 200)] == 1


def test_dropped_before_forwarding_never_reaches_the_server_yet_counts_as_sent(upstream):
    proxy = _proxy(upstream, drop_before=1.0)
    try:
        with pytest.raises(UpstreamTrouble) as caught:
            _call(proxy)
    finally:
        proxy.stop()
    assert caught.value.request_sent is True and caught.value.status is None
    assert _Upstream.seen == []
    assert proxy.tally.dropped_before["create call"] == 1


def test_dropped_after_forwarding_reaches_the_server_and_the_answer_is_lost(upstream):
    proxy = _proxy(upstream, drop_after=1.0)
    try:
        with pytest.raises(UpstreamTrouble) as caught:
            _call(proxy)
    finally:
        proxy.stop()
    assert caught.value.request_sent is True and caught.value.status is None
    assert _Upstream.seen == ['{"n": 1}']
    assert proxy.tally.dropped_after["create call"] == 1


def test_the_proxy_stops_by_itself_after_its_lifetime(upstream):
    proxy = FaultProxy(upstream.server_address, lifetime=0.3).start()
    proxy._thread.join(3)
    assert not proxy._thread.is_alive()


def test_the_proxy_only_forwards_to_loopback():
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        FaultProxy(("10.0.0.1", 80))
