"""First-start set-up, safe to run on every start: the first admin and, with the sandbox on,
a sandbox connection with two sandbox Kling accounts.
"""

from __future__ import annotations

import os
import re
import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.core.roles import ADMIN

SANDBOX_CONNECTION = "Sandbox"
SANDBOX_ACCOUNTS = [
    # (email, label, maxJobs)
    ("studio-a@sandbox.test", "Studio A", 3),
    ("studio-b@sandbox.test", "Studio B", 2),
]
_LOCAL_SANDBOX_URL = re.compile(r"^http://127\.0\.0\.1:\d+/sandbox/v1/kling$")


class Command(BaseCommand):
    help = "Create the first admin and (with MOTIONHUB_SANDBOX=1) the sandbox connection."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))

    def handle(self, *args, port: int, **options):
        self.ensure_admin()
        if settings.MOTIONHUB_SANDBOX:
            self.ensure_sandbox(port)

    def ensure_admin(self) -> None:
        if User.objects.filter(is_superuser=True).exists():
            return
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(
            username, os.environ.get("DJANGO_SUPERUSER_EMAIL", ""), password
        )
        user.groups.add(Group.objects.get_or_create(name=ADMIN)[0])
        if generated:
            # Shown once, on the console of the person who started MotionHub; never logged.
            self.stdout.write(
                self.style.WARNING(
                    f"\n  First admin created: username “{username}”, password “{password}”\n"
                    "  (shown only now; change it in the admin, or set "
                    "DJANGO_SUPERUSER_USERNAME / DJANGO_SUPERUSER_PASSWORD next time)\n"
                )
            )
        else:
            self.stdout.write(f"First admin “{username}” created from the environment.")

    def ensure_sandbox(self, port: int) -> None:
        base_url = f"http://127.0.0.1:{port}/sandbox/v1/kling"
        existing = Connection.objects.filter(name=SANDBOX_CONNECTION).first()
        if existing:
            # Follow the port this start uses, if the connection is still the local sandbox.
            if _LOCAL_SANDBOX_URL.match(existing.base_url) and existing.base_url != base_url:
                existing.base_url = base_url
                existing.save(update_fields=["base_url"])
            return
        if Connection.objects.exists():
            return  # a team that set up its own connections gets no sandbox added
        token = f"user:1-{secrets.token_urlsafe(16)}"
        connection = Connection(name=SANDBOX_CONNECTION, base_url=base_url)
        connection.set_token(token)
        connection.save()
        for email, label, max_jobs in SANDBOX_ACCOUNTS:
            # The simulator's own side of the account (it is reached only through its command).
            call_command("sandbox_seed_account", token=token, email=email, max_jobs=max_jobs)
            KlingAccount.objects.create(
                connection=connection, email=email, label=label, max_jobs=max_jobs
            )
        self.stdout.write(
            f"Sandbox connection created with {len(SANDBOX_ACCOUNTS)} sandbox Kling accounts."
        )
