"""A real SMTP server (aiosmtpd) and a real HTTP receiver, each on a free loopback port."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

WEBHOOK_SECRET = "whsec-test-5ecret-value"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server; Django's SMTP backend pointed at it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "motionhub@example.com"
    settings.MOTIONHUB_ALERT_EMAILS = ["ops@example.com", "lead@example.com"]
    yield inbox
    controller.stop()


class Receiver:
    """Answers `statuses` in turn (then 200); keeps each body whose signature verified."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[dict] = []
        self.refused = 0
        self.hits = 0


@pytest.fixture
def webhook_receiver(settings):
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.hits += 1
            timestamp = self.headers.get("X-MotionHub-Timestamp", "")
            mac = hmac.new(WEBHOOK_SECRET.encode(), timestamp.encode() + b"." + body,
                           hashlib.sha256)  # fmt: skip
            good = hmac.compare_digest(
                "sha256=" + mac.hexdigest(), self.headers.get("X-MotionHub-Signature", "")
            )
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            if not good:
                receiver.refused += 1
                status = 401
            elif status == 200:
                receiver.received.append(json.loads(body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000/slack-secret-path"
    settings.MOTIONHUB_ALERT_WEBHOOK_URL = url
    settings.MOTIONHUB_ALERT_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.MOTIONHUB_ALERT_WEBHOOK_BACKOFF_SECONDS = 0
    receiver.url = url
    yield receiver
    server.shutdown()
    server.server_close()
