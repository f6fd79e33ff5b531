"""Run the whole product in the foreground: the web server and the django-q2 worker cluster.

One Ctrl-C stops both. With DEBUG on it uses Django's server; with DEBUG=0 it serves through
gunicorn (static files by WhiteNoise), as production does.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from motionhub.accounts import jobs
from motionhub.accounts.models import AccountChange, Connection


class Command(BaseCommand):
    help = "Migrate, set up, then serve web + workers on 127.0.0.1:PORT until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port: int, host: str, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("motionhub_setup", port=port)
        if settings.DEBUG:
            web = [sys.executable, "manage.py", "runserver", "--noreload", f"{host}:{port}"]
        else:
            call_command("collectstatic", interactive=False, verbosity=0)
            web = [
                sys.executable, "-m", "gunicorn", "motionhub.wsgi",
                "--bind", f"{host}:{port}", "--workers", "3", "--access-logfile", "-",
            ]  # fmt: skip
        # A service manager stops us with SIGTERM: treat it like Ctrl-C so both children stop.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        procs = [
            subprocess.Popen([sys.executable, "manage.py", "qcluster"]),
            subprocess.Popen(web),  # noqa: S603 (our own interpreter and arguments)
        ]
        try:
            if _wait_for_port(host, port, procs):
                self.request_initial_syncs()
                self.stdout.write(
                    self.style.SUCCESS(f"\n  MotionHub is running: open http://{host}:{port}/\n")
                    + "  Press Ctrl-C to stop the web server and the workers.\n"
                )
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        failed = [p.returncode for p in procs if p.returncode not in (0, -2, None)]
        if failed:
            raise SystemExit(failed[0])

    def request_initial_syncs(self) -> None:
        """Refresh accounts, balances and slots of connections never synced yet."""
        for connection in Connection.objects.filter(last_synced_at__isnull=True):
            pending = connection.changes.filter(state=AccountChange.State.PENDING).exists()
            if not pending:
                jobs.request_change(connection, AccountChange.Action.SYNC)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def _wait_for_port(host: str, port: int, procs, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False
