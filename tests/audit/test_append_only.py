"""Entries cannot be changed or deleted: not by code, not from the admin, not by a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse

from motionhub import audit
from motionhub.audit.models import AppendOnlyError, AuditEntry


@pytest.fixture
def entry(db) -> AuditEntry:
    return audit.record(None, audit.Action.MOTION_DELETE, target_id="42", target_label="Dance")


def test_saving_an_existing_entry_is_refused(entry):
    entry.detail = "nothing happened"

    with pytest.raises(AppendOnlyError):
        entry.save()

    assert AuditEntry.objects.get().detail == ""


def test_a_new_entry_cannot_overwrite_an_existing_one_by_reusing_its_id(entry):
    impostor = AuditEntry(pk=entry.pk, action="auth.login", actor_name="mallory")

    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()

    assert AuditEntry.objects.get().action == "motion.delete"


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_updates_and_deletes_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(detail="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    # bulk_update runs inside its own transaction; keep that failure from spoiling the test's.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["detail"])

    assert AuditEntry.objects.get().detail == ""


def test_deleting_an_account_keeps_its_entries_with_the_accounts_name(kling_account, connection):
    audit.record(None, audit.Action.ACCOUNT_REMOVE, target=kling_account, account=kling_account)

    connection.delete()  # takes its accounts with it

    entry = AuditEntry.objects.get(action="account.remove")
    assert entry.account is None
    assert entry.account_label == "One <one@example.com>"


def test_the_admin_lists_entries_to_a_superuser_with_filters(root_client, entry):
    response = root_client.get(reverse("admin:audit_auditentry_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Dance" in page
    assert 'data-filter-title="action"' in page and 'data-filter-title="outcome"' in page
    assert reverse("admin:audit_auditentry_add") not in page  # no "Add" button
    assert "delete_selected" not in page  # no bulk delete action


def test_the_admin_offers_no_add_page_even_to_a_superuser(root_client, db):
    assert root_client.get(reverse("admin:audit_auditentry_add")).status_code == 403


def test_the_admin_shows_an_entry_read_only_and_refuses_a_change(root_client, entry):
    url = reverse("admin:audit_auditentry_change", args=[entry.pk])

    page = root_client.get(url)
    response = root_client.post(url, {"action": "auth.login", "detail": "rewritten"})

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_the_admin_refuses_to_delete_an_entry_even_for_a_superuser(root_client, entry):
    url = reverse("admin:audit_auditentry_delete", args=[entry.pk])

    assert root_client.get(url).status_code == 403
    assert root_client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_admin_bulk_delete_action_is_not_available(root_client, entry):
    response = root_client.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    assert response.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_staff_member_without_the_view_permission_cannot_open_the_admin_list(client, db):
    staff = User.objects.create_user("sam", password="pw-sam", is_staff=True)
    client.force_login(staff)

    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403
