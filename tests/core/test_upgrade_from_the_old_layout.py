"""A database made before the apps were split by feature upgrades without losing a row.

Until December 2026 the tasks lived in `motionhub.motions` (app label "motions"); the label,
and with it every table, migration and permission, is kept by `motionhub.tasks`. This test
builds the schema exactly as that release left it (its last migration of each app), writes
rows through the models of that time, then runs `migrate` to today's migrations and reads the
rows back through today's code and pages.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from motionhub.accounts.models import KlingAccount
from motionhub.audit.models import AuditEntry
from motionhub.library.models import Motion
from motionhub.tasks.models import MotionTask, State, TaskEvent

# The last migration of each of our apps in the release with the old layout (main b3f6b76).
OLD_LAYOUT = [
    ("accounts", "0001_initial"),
    ("audit", "0001_initial"),
    ("core", "0002_lease"),
    ("library", "0001_initial"),
    ("motions", "0002_history_indexes"),
    ("sandbox", "0001_initial"),
]


def _old_database() -> dict[str, int]:
    """Migrate back to the old layout and write rows with that release's models."""
    executor = MigrationExecutor(connection)
    executor.migrate(OLD_LAYOUT)
    old = executor.loader.project_state(OLD_LAYOUT).apps
    Connection = old.get_model("accounts", "Connection")
    Account = old.get_model("accounts", "KlingAccount")
    Task = old.get_model("motions", "MotionTask")
    Event = old.get_model("motions", "TaskEvent")
    Entry = old.get_model("audit", "AuditEntry")
    CachedMotion = old.get_model("library", "Motion")

    team = Connection.objects.create(
        name="Team", base_url="https://api.useapi.net/v1/kling", token_encrypted="x"
    )
    account = Account.objects.create(connection=team, email="one@example.com", max_jobs=2)
    now = timezone.now()
    for n, state in enumerate(["succeeded", "failed", "queued", "submitted", "needs_attention"]):
        task = Task.objects.create(
            name=f"clip {n}", account=account, state=state, created_at=now, updated_at=now,
            upstream_task_id=9007199254740993 + n,
        )  # fmt: skip
        Event.objects.create(task=task, to_state=state, source="worker", at=now)
    Entry.objects.create(action="motion_upload", actor_name="bob", account=account, at=now)
    CachedMotion.objects.create(
        account=account, kind="mine", key="work:1", name="Wave", shape="2025"
    )
    return {"tasks": 5, "events": 5, "entries": 1, "motions": 1}


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_layout_migrates_without_losing_a_row(viewer_client):
    try:
        written = _old_database()
    finally:
        # Whatever happened, leave the database at today's schema for the tests after this one.
        call_command("migrate", verbosity=0)

    assert MotionTask.objects.count() == written["tasks"]
    assert TaskEvent.objects.count() == written["events"]
    assert AuditEntry.objects.filter(action="motion_upload").count() == written["entries"]
    assert Motion.objects.count() == written["motions"]
    # Read through today's code: the exact upstream id, the states, the account behind them.
    account = KlingAccount.objects.get(email="one@example.com")
    assert set(account.tasks.values_list("state", flat=True)) == {
        State.SUCCEEDED, State.FAILED, State.QUEUED, State.SUBMITTED, State.NEEDS_ATTENTION,
    }  # fmt: skip
    assert MotionTask.objects.filter(upstream_task_id=9007199254740993).exists()
    # And the pages that show them.
    history = viewer_client.get("/tasks/").content.decode()
    assert all(f"clip {n}" in history for n in range(5))
    assert "bob" in viewer_client.get("/audit/").content.decode()
    assert viewer_client.get("/").status_code == 200
