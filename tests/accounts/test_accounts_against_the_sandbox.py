"""The accounts pages end to end against the sandbox over real HTTP: what `make run` gives."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from motionhub.accounts.management.commands import motionhub_setup
from motionhub.accounts.models import AccountChange, Connection, KlingAccount


@pytest.fixture
def sandbox_connection(sandbox_url, live_server, settings):
    settings.MOTIONHUB_SANDBOX = True
    port = live_server.url.rsplit(":", 1)[1]
    call_command("motionhub_setup", port=int(port))
    return Connection.objects.get(name=motionhub_setup.SANDBOX_CONNECTION)


def test_the_first_start_creates_the_sandbox_with_two_accounts(sandbox_connection):
    emails = set(KlingAccount.active.values_list("email", flat=True))

    assert emails == {email for email, _, _ in motionhub_setup.SANDBOX_ACCOUNTS}
    assert sandbox_connection.base_url.endswith("/sandbox/v1/kling")


def test_an_admin_syncs_adds_and_removes_an_account(
    sandbox_connection, admin_client_, sync_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(reverse("accounts:connection_sync", args=[sandbox_connection.pk]))
    studio_a = KlingAccount.active.get(email="studio-a@sandbox.test")
    assert studio_a.credits == 56000 and studio_a.session_expires_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            reverse("accounts:account_add", args=[sandbox_connection.pk]),
            {"email": "third@sandbox.test", "password": "secret-pw", "max_jobs": 4},
        )
    third = KlingAccount.active.get(email="third@sandbox.test")
    assert third.max_jobs == 4
    page = admin_client_.get(reverse("accounts:index")).content.decode()
    assert "third@sandbox.test" in page and "secret-pw" not in page

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(reverse("accounts:account_remove", args=[third.pk]))
    assert not KlingAccount.active.filter(email="third@sandbox.test").exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(reverse("accounts:connection_sync", args=[sandbox_connection.pk]))
    assert not KlingAccount.active.filter(email="third@sandbox.test").exists()
    assert set(AccountChange.objects.values_list("state", flat=True)) == {"done"}


def test_a_wrong_password_is_reported_and_saves_nothing(
    sandbox_connection, admin_client_, sync_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            reverse("accounts:account_add", args=[sandbox_connection.pk]),
            {"email": "x@sandbox.test", "password": "wrong-password", "max_jobs": 2},
        )

    assert not KlingAccount.objects.filter(email="x@sandbox.test").exists()
    change = AccountChange.objects.get(action="add")
    assert change.state == "failed" and "password is incorrect" in change.message


def test_motionhub_connect_creates_a_connection_and_syncs_it(sandbox_url, monkeypatch, capsys):
    from motionhub.sandbox import state

    state.seed_account("user:77-connectcmd", "script@sandbox.test", max_jobs=3)
    monkeypatch.setitem(os.environ, "USEAPI_TOKEN", "user:77-connectcmd")

    call_command("motionhub_connect", "--name", "Scripted", "--base-url", sandbox_url)

    connection = Connection.objects.get(name="Scripted")
    assert connection.token == "user:77-connectcmd"
    assert KlingAccount.active.get(connection=connection).email == "script@sandbox.test"
    out = capsys.readouterr().out
    assert "Synced 1 Kling account(s)" in out and "user:77-connectcmd" not in out


def test_motionhub_connect_needs_the_token_in_the_environment(db, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.delenv("USEAPI_TOKEN", raising=False)

    with pytest.raises(CommandError, match="USEAPI_TOKEN"):
        call_command("motionhub_connect", "--name", "X")
