from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.audit.models import AuditEntry

TOKEN = "user:4242-auditS3cretToken"
PASSWORD = "Kling-Audit-Pa55word!"


@pytest.fixture
def root(db) -> User:
    """A superuser: the only kind of person who gets into the Django admin here."""
    return User.objects.create_superuser("root", "root@example.com", "pw-root")


@pytest.fixture
def root_client(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


@pytest.fixture
def connection(db) -> Connection:
    conn = Connection(name="Production", base_url="https://api.useapi.test/v1/kling")
    conn.set_token(TOKEN)
    conn.save()
    return conn


@pytest.fixture
def kling_account(connection) -> KlingAccount:
    return KlingAccount.objects.create(
        connection=connection, email="one@example.com", label="One", max_jobs=3
    )


@pytest.fixture
def make_entries(db):
    """Entries one second apart, oldest first, with whatever fields a test needs."""

    def make(count: int, *, start=None, **fields) -> list[AuditEntry]:
        start = start or timezone.now() - timedelta(days=1)
        defaults = {"action": "connection.sync", "actor_name": "alice"}
        return [
            AuditEntry.objects.create(
                at=start + timedelta(seconds=i),
                target_id=str(i),
                target_label=f"thing {i}",
                **{**defaults, **fields},
            )
            for i in range(count)
        ]

    return make
