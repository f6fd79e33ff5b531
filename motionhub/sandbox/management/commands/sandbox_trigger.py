"""Pull a demo trigger on a sandbox Kling account that already exists (see sandbox/README.md).

manage.py sandbox_trigger break studio-a@sandbox.test     # every call → 596 until re-added
manage.py sandbox_trigger repair studio-a@sandbox.test
manage.py sandbox_trigger credits studio-a@sandbox.test 150   # balance in points
manage.py sandbox_trigger throttle studio-a@sandbox.test 5    # next 5 create calls → 429
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motionhub.sandbox import state


class Command(BaseCommand):
    help = "Break/repair a sandbox account's session, set its balance, or make it answer 429s."

    def add_arguments(self, parser) -> None:
        parser.add_argument("trigger", choices=["break", "repair", "credits", "throttle"])
        parser.add_argument("email")
        parser.add_argument("number", nargs="?", type=int, help="credits: points; throttle: calls")

    def handle(self, *args, trigger: str, email: str, number: int | None, **options):
        if trigger in {"credits", "throttle"} and number is None:
            raise CommandError(f"{trigger} needs a number")
        changed = {
            "break": lambda: state.break_session(email),
            "repair": lambda: state.repair_session(email),
            "credits": lambda: state.set_credits(email, number),
            "throttle": lambda: state.throttle(email, number),
        }[trigger]()
        if not changed:
            raise CommandError(f"No sandbox account {email}.")
        self.stdout.write(f"{trigger}: {email} ({changed} account(s))")
