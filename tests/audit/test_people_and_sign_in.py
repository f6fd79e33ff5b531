"""Sign-ins, sign-outs, and changes to people and roles leave entries by themselves."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from motionhub.audit.models import AuditEntry


def _only(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def _all_text(entry: AuditEntry) -> str:
    return " ".join(str(getattr(entry, f.attname)) for f in AuditEntry._meta.concrete_fields)


def test_signing_in_is_recorded_with_the_person_and_address(alice):
    client = Client(REMOTE_ADDR="192.0.2.10")

    client.post(reverse("login"), {"username": "alice", "password": "pw-alice"})

    entry = _only("auth.login")
    assert (entry.actor, entry.actor_name, entry.outcome) == (alice, "alice", "ok")
    assert entry.ip == "192.0.2.10"


def test_a_failed_sign_in_keeps_the_username_tried_and_never_the_password(alice):
    Client().post(reverse("login"), {"username": "alice", "password": "Wr0ng-Guess-123"})
    Client().post(reverse("login"), {"username": "mallory", "password": "Wr0ng-Guess-456"})

    entries = AuditEntry.objects.filter(action="auth.login_failed").order_by("pk")
    assert [(e.actor_name, e.actor, e.outcome) for e in entries] == [
        ("alice", None, "refused"),
        ("mallory", None, "refused"),
    ]
    everything = " ".join(_all_text(e) for e in AuditEntry.objects.all())
    assert "Wr0ng-Guess" not in everything
    assert "****" not in everything  # not even Django's masked copy of it


def test_signing_out_is_recorded(admin_client_, alice):
    admin_client_.post(reverse("logout"))

    entry = _only("auth.logout")
    assert (entry.actor, entry.actor_name) == (alice, "alice")


def _change_form(user: User, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "user_permissions": [],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_role_change_in_the_admin_records_who_made_it_and_what_changed(root_client, charlie):
    operator = Group.objects.get(name="operator")
    url = reverse("admin:auth_user_change", args=[charlie.pk])

    response = root_client.post(
        url, _change_form(charlie, groups=[str(operator.pk)]), REMOTE_ADDR="198.51.100.4"
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    entries = AuditEntry.objects.filter(action="role.change", actor_name="root").order_by("pk")
    assert sorted(e.detail for e in entries) == ["added to operator", "removed from viewer"]
    assert all(e.target_id == str(charlie.pk) and e.target_label == "charlie" for e in entries)
    assert all(e.ip == "198.51.100.4" for e in entries)
    update = _only("user.update")
    assert (update.actor_name, update.target_label) == ("root", "charlie")
    assert "Groups" in update.detail


def test_making_someone_a_superuser_is_a_role_change(root_client, charlie):
    url = reverse("admin:auth_user_change", args=[charlie.pk])

    root_client.post(url, _change_form(charlie, is_superuser="on"))

    entry = AuditEntry.objects.get(action="role.change", detail="made superuser")
    assert (entry.actor_name, entry.target_label) == ("root", "charlie")


def test_a_role_change_outside_the_admin_is_recorded_without_a_person(dave):
    dave.groups.add(Group.objects.get(name="viewer"))
    Group.objects.get(name="admin").user_set.add(dave)
    dave.groups.remove(Group.objects.get(name="operator"))  # not a member: nothing to record
    dave.groups.clear()

    details = list(
        AuditEntry.objects.filter(action="role.change", target_label="dave")
        .order_by("pk")
        .values_list("detail", "actor_name")
    )
    assert details[:2] == [("added to viewer", ""), ("added to admin", "")]
    assert sorted(details[2:]) == [("removed from admin", ""), ("removed from viewer", "")]


def test_creating_a_person_in_the_admin_is_recorded(root_client):
    response = root_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "erin",
            "usable_password": "true",
            "password1": "Erin-Secret-Pw-1",
            "password2": "Erin-Secret-Pw-1",
        },
    )

    assert response.status_code == 302
    entry = _only("user.create")
    assert (entry.actor_name, entry.target_label) == ("root", "erin")
    everything = " ".join(_all_text(e) for e in AuditEntry.objects.all())
    assert "Erin-Secret" not in everything


def test_changing_a_password_in_the_admin_is_recorded_without_the_password(root_client, charlie):
    url = reverse("admin:auth_user_password_change", args=[charlie.pk])

    response = root_client.post(
        url,
        {"password1": "Brand-New-Pw-77", "password2": "Brand-New-Pw-77", "set-password": "1"},
    )

    assert response.status_code == 302
    entry = _only("user.update")
    assert "password" in entry.detail.lower()
    everything = " ".join(_all_text(e) for e in AuditEntry.objects.all())
    assert "Brand-New-Pw" not in everything
    assert "pbkdf2" not in everything


def test_deleting_a_person_in_the_admin_is_recorded_and_their_entries_survive(root_client, charlie):
    Client().force_login(charlie)  # charlie has an entry of their own now
    url = reverse("admin:auth_user_delete", args=[charlie.pk])

    response = root_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(username="charlie").exists()
    entry = _only("user.delete")
    assert (entry.actor_name, entry.target_label, entry.target_id) == (
        "root",
        "charlie",
        str(charlie.pk),
    )
    sign_ins = AuditEntry.objects.filter(action="auth.login", actor_name="charlie")
    assert sign_ins.count() == 1 and sign_ins.get().actor is None


def test_deleting_people_with_the_bulk_action_records_each_of_them(root_client, bob, charlie):
    response = root_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [bob.pk, charlie.pk], "post": "yes"},
    )

    assert response.status_code == 302
    deleted = AuditEntry.objects.filter(action="user.delete").values_list("target_label", flat=True)
    assert sorted(deleted) == ["bob", "charlie"]
