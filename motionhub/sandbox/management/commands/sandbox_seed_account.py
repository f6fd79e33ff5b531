"""Configure a Kling account in the sandbox, as `POST /accounts` would, without a running server.

`motionhub_setup` calls it in-process (`call_command`) when it creates the sandbox connection:
the dashboard's apps never import the simulator. The token is taken from the caller, never
from a command line people type, since it is a secret.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motionhub.sandbox import state


class Command(BaseCommand):
    help = "Configure a Kling account in the sandbox (for motionhub_setup; the token is a secret)."
    stealth_options = ("token",)

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--max-jobs", type=int, default=5)

    def handle(self, *args, token: str | None = None, email: str, max_jobs: int, **options):
        if not token:
            raise CommandError("sandbox_seed_account takes its token from call_command(token=…).")
        try:
            state.seed_account(token, email, max_jobs=max_jobs)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
