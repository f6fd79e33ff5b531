"""Print a new personal API token for a person, for scripts and CI:

    python manage.py motionhub_api_token alice --name "render farm"

The token is alone on the last line of the output (`| tail -n 1`). It is shown only this once.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from motionhub import audit
from motionhub.tokens import auth


class Command(BaseCommand):
    help = "Create a personal API token for USER and print it (alone on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command-line token")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active person is called “{username}”.")
        token, secret = auth.create_token(user, name)
        audit.record(
            None, audit.Action.TOKEN_CREATE, target=token, actor=user,
            detail=f"Token {token.prefix}… “{token.name}” (manage.py motionhub_api_token)",
        )  # fmt: skip
        self.stdout.write(f"Token “{token.name}” for {username} (shown once; keep it secret):")
        self.stdout.write(secret)
