"""The accounts page and connection forms: who sees and may change what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motionhub.accounts.models import AccountChange, Connection

from .conftest import TOKEN


def _admin_only_urls(connection, kling_account) -> list[tuple[str, str]]:
    return [
        ("get", reverse("accounts:connection_create")),
        ("get", reverse("accounts:connection_edit", args=[connection.pk])),
        ("post", reverse("accounts:connection_sync", args=[connection.pk])),
        ("get", reverse("accounts:account_add", args=[connection.pk])),
        ("get", reverse("accounts:account_edit", args=[kling_account.pk])),
        ("get", reverse("accounts:account_remove", args=[kling_account.pk])),
        ("post", reverse("accounts:account_remove", args=[kling_account.pk])),
    ]


def test_everyone_with_a_role_reads_the_accounts_page(
    viewer_client, operator_client, admin_client_, kling_account
):
    for client in (viewer_client, operator_client, admin_client_):
        page = client.get(reverse("accounts:index")).content.decode()
        assert "Production" in page and "one@example.com" in page


def test_viewers_and_operators_see_no_admin_controls(viewer_client, operator_client, kling_account):
    for client in (viewer_client, operator_client):
        page = client.get(reverse("accounts:index")).content.decode()
        assert "Add a connection" not in page
        assert reverse("accounts:account_remove", args=[kling_account.pk]) not in page


def test_admins_see_the_controls(admin_client_, kling_account):
    page = admin_client_.get(reverse("accounts:index")).content.decode()

    assert "Add a connection" in page
    assert reverse("accounts:account_remove", args=[kling_account.pk]) in page


@pytest.mark.parametrize("who", ["viewer_client", "operator_client"])
def test_only_admins_may_change_accounts(request, who, connection, kling_account):
    client = request.getfixturevalue(who)
    for method, url in _admin_only_urls(connection, kling_account):
        assert getattr(client, method)(url).status_code == 403, url
    assert not AccountChange.objects.exists()


def test_a_person_without_a_role_is_refused(dave, kling_account):
    client = Client()
    client.force_login(dave)

    assert client.get(reverse("accounts:index")).status_code == 403
    assert client.get(reverse("home")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get(reverse("accounts:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_expired_session_gets_403_on_a_polled_fragment_not_the_login_page(db):
    response = Client().get(reverse("accounts:changes"), headers={"HX-Request": "true"})

    assert response.status_code == 403


def test_adding_a_connection_stores_the_token_encrypted_and_never_shows_it(
    admin_client_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client_.post(
            reverse("accounts:connection_create"),
            {"name": "Team", "base_url": "https://api.useapi.net/v1/kling/", "token": TOKEN},
        )

    assert response.status_code == 302
    connection = Connection.objects.get(name="Team")
    assert connection.base_url == "https://api.useapi.net/v1/kling"
    assert TOKEN not in connection.token_encrypted
    assert connection.token == TOKEN
    assert AccountChange.objects.get().action == AccountChange.Action.SYNC
    assert len(callbacks) == 1
    for url in (
        reverse("accounts:index"),
        reverse("accounts:connection_edit", args=[connection.pk]),
    ):
        assert TOKEN not in admin_client_.get(url).content.decode()


def test_editing_a_connection_keeps_the_token_when_left_empty(admin_client_, connection):
    admin_client_.post(
        reverse("accounts:connection_edit", args=[connection.pk]),
        {"name": "Renamed", "base_url": connection.base_url, "token": ""},
    )

    connection.refresh_from_db()
    assert connection.name == "Renamed"
    assert connection.token == TOKEN


def test_a_new_connection_needs_a_token(admin_client_):
    response = admin_client_.post(
        reverse("accounts:connection_create"),
        {"name": "Team", "base_url": "https://api.useapi.net/v1/kling", "token": ""},
    )

    assert response.context["form"].errors["token"]
    assert not Connection.objects.exists()


def test_the_changes_fragment_polls_while_a_change_is_pending_and_then_stops(
    viewer_client, connection
):
    url = reverse("accounts:changes")
    change = AccountChange.objects.create(connection=connection, action="sync")

    pending = viewer_client.get(url, headers={"HX-Request": "true"})
    assert pending.status_code == 200
    assert 'hx-trigger="every 2s"' in pending.content.decode()

    AccountChange.objects.filter(pk=change.pk).update(state=AccountChange.State.DONE)
    done = viewer_client.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 286
    assert "hx-trigger" not in done.content.decode()


def test_the_changes_fragment_reads_a_fixed_number_of_queries(
    viewer_client, connection, django_assert_max_num_queries
):
    for _ in range(8):
        AccountChange.objects.create(connection=connection, action="sync")
    viewer_client.get(reverse("accounts:index"))  # a page visit remembers the role

    with django_assert_max_num_queries(3):
        viewer_client.get(reverse("accounts:changes"), headers={"HX-Request": "true"})


def test_sync_is_post_only(admin_client_, connection):
    assert (
        admin_client_.get(reverse("accounts:connection_sync", args=[connection.pk])).status_code
        == 405
    )
