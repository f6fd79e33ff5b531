"""Create or update a useapi.net connection from a script, then sync its accounts.

    USEAPI_TOKEN=user:12345-... python manage.py motionhub_connect \
        --name Production --base-url https://api.useapi.net/v1/kling

The token comes from the environment so it never lands in shell history or `ps` output.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motionhub.accounts import jobs
from motionhub.accounts.models import Connection
from motionhub.useapi import UseapiError


class Command(BaseCommand):
    help = "Create or update a useapi.net connection (token from $USEAPI_TOKEN) and sync it."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--base-url", default=settings.USEAPI_DEFAULT_BASE_URL)

    def handle(self, *args, name: str, base_url: str, **options):
        token = os.environ.get("USEAPI_TOKEN", "").strip()
        if not token:
            raise CommandError("Set USEAPI_TOKEN to the useapi.net API token.")
        connection = Connection.objects.filter(name=name).first() or Connection(name=name)
        created = connection.pk is None
        connection.base_url = base_url.rstrip("/")
        connection.set_token(token)
        connection.save()
        self.stdout.write(f"Connection “{name}” {'created' if created else 'updated'}.")
        try:
            count = jobs.sync_connection(connection)
        except UseapiError as exc:
            raise CommandError(f"Sync failed: {exc.explained}") from exc
        self.stdout.write(self.style.SUCCESS(f"Synced {count} Kling account(s)."))
        for account in connection.accounts.filter(removed_at__isnull=True):
            self.stdout.write(
                f"  {account.email}: maxJobs {account.max_jobs}, "
                f"credits {account.credits if account.credits is not None else 'unknown'}"
            )
