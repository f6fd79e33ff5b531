"""Every change an admin makes on the Accounts page leaves an entry, without any secret in it.

The jobs those changes enqueue are not run here: the entries are written by the views.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from motionhub.audit.models import AuditEntry

from .conftest import PASSWORD, TOKEN

NEW_TOKEN = "user:4242-freshS3cretToken"


@pytest.fixture
def post(admin_client_, django_capture_on_commit_callbacks):
    """POST as alice (admin), keeping the enqueued jobs from running."""

    def send(name: str, *args, data=None):
        with django_capture_on_commit_callbacks(execute=False):
            response = admin_client_.post(reverse(name, args=args), data or {})
        assert response.status_code == 302, response.content.decode()[:1000]
        return response

    return send


def _entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def _assert_no_secret_anywhere(*secrets: str) -> None:
    for entry in AuditEntry.objects.all():
        text = " ".join(str(getattr(entry, f.attname)) for f in AuditEntry._meta.concrete_fields)
        for secret in secrets:
            assert secret not in text


def test_adding_a_connection_is_recorded_without_its_token(post, alice):
    post(
        "accounts:connection_create",
        data={"name": "Staging", "base_url": "https://staging.test/v1/kling", "token": TOKEN},
    )

    entry = _entry("connection.create")
    assert (entry.actor, entry.outcome, entry.target_label) == (alice, "requested", "Staging")
    assert entry.target_type == "accounts.connection"
    assert entry.detail == "base URL https://staging.test/v1/kling"
    _assert_no_secret_anywhere(TOKEN, "auditS3cret")


def test_changing_a_connection_says_what_changed_but_not_the_new_token(post, connection):
    post(
        "accounts:connection_edit",
        connection.pk,
        data={"name": "Prod", "base_url": connection.base_url, "token": NEW_TOKEN},
    )

    entry = _entry("connection.update")
    assert entry.target_id == str(connection.pk) and entry.outcome == "requested"
    assert entry.detail == "Name: “Production” → “Prod”; API token entered (not recorded)"
    _assert_no_secret_anywhere(TOKEN, NEW_TOKEN, "freshS3cret")


def test_syncing_a_connection_is_recorded(post, connection):
    post("accounts:connection_sync", connection.pk)

    entry = _entry("connection.sync")
    assert (entry.target_label, entry.outcome, entry.actor_name) == (
        "Production",
        "requested",
        "alice",
    )


def test_adding_a_kling_account_is_recorded_without_its_password(post, connection):
    post(
        "accounts:account_add",
        connection.pk,
        data={"email": "new@example.com", "password": PASSWORD, "max_jobs": 4, "label": "New"},
    )

    entry = _entry("account.add")
    assert entry.target_label == "new@example.com" and entry.account_label == "new@example.com"
    assert entry.outcome == "requested"
    assert entry.detail == "on Production, maxJobs 4"
    _assert_no_secret_anywhere(PASSWORD)


def test_renaming_and_disabling_an_account_is_recorded_as_done(post, kling_account):
    post(
        "accounts:account_edit",
        kling_account.pk,
        data={"label": "Uno", "max_jobs": 3},  # the unchecked box sends nothing: disabled
    )

    entry = _entry("account.update")
    assert entry.account == kling_account and entry.target_id == str(kling_account.pk)
    assert entry.outcome == "ok"
    assert entry.detail == "Label: “One” → “Uno”; Enabled: yes → no"


def test_changing_max_jobs_is_recorded_as_requested_without_the_password(post, kling_account):
    post(
        "accounts:account_edit",
        kling_account.pk,
        data={"label": "One", "enabled": "on", "max_jobs": 5, "password": PASSWORD},
    )

    entry = _entry("account.update")
    assert entry.outcome == "requested"
    assert entry.detail == "maxJobs: 3 → 5; Kling password entered (not recorded)"
    _assert_no_secret_anywhere(PASSWORD)


def test_removing_an_account_is_recorded_with_the_account(post, kling_account):
    post("accounts:account_remove", kling_account.pk)

    entry = _entry("account.remove")
    assert entry.account == kling_account
    assert (entry.target_label, entry.account_label, entry.outcome) == (
        "One",
        "One <one@example.com>",
        "requested",
    )


def test_a_form_with_errors_leaves_no_entry(admin_client_, connection):
    response = admin_client_.post(
        reverse("accounts:account_add", args=[connection.pk]),
        {"email": "not an email", "password": PASSWORD, "max_jobs": 4},
    )

    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="account.add").exists()


def test_opening_a_form_leaves_no_entry(admin_client_, kling_account):
    admin_client_.get(reverse("accounts:account_remove", args=[kling_account.pk]))

    assert not AuditEntry.objects.filter(action="account.remove").exists()
