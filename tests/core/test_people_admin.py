"""People are managed in the Django admin by the admin role."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.test import Client

from motionhub.core.staff import grant_admin_permissions


def test_members_of_the_admin_group_manage_people_in_the_django_admin(alice):
    grant_admin_permissions()  # what migrate does after every app
    alice.refresh_from_db()
    client = Client()
    client.force_login(alice)

    assert alice.is_staff and not alice.is_superuser
    assert client.get("/admin/auth/user/").status_code == 200
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "erin", "password1": "Long-pass-123!", "password2": "Long-pass-123!",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.filter(username="erin").exists()


def test_operators_and_viewers_have_no_django_admin(bob, charlie):
    for user in (bob, charlie):
        client = Client()
        client.force_login(user)
        assert not User.objects.get(pk=user.pk).is_staff
        assert client.get("/admin/auth/user/").status_code == 302


def test_leaving_the_admin_group_takes_the_django_admin_away(alice):
    alice.groups.remove(Group.objects.get(name="admin"))

    alice.refresh_from_db()
    assert not alice.is_staff
