from __future__ import annotations

from django.test import Client
from django.urls import reverse


def test_a_person_signs_in_and_lands_on_the_dashboard(alice):
    client = Client()

    response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_is_refused_with_a_message(alice):
    response = Client().post(reverse("login"), {"username": "alice", "password": "nope"})

    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_signing_out_ends_the_session(admin_client_):
    response = admin_client_.post(reverse("logout"))

    assert response.status_code == 302
    assert admin_client_.get(reverse("home")).status_code == 302


def test_every_page_needs_a_login(db):
    for name in ("home", "accounts:index"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_roles_exist_as_groups(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"viewer", "operator", "admin"}
