"""Who may do what in the library: everyone with a role reads; only operators and admins make it
call upstream (refresh) or change it (delete). And the Refresh button itself."""

from __future__ import annotations

import pytest
from django.test import Client

from motionhub.library.models import LibrarySync, MotionDeletion

from .conftest import HX, mine_2025


@pytest.fixture
def clients(admin_client_, operator_client, viewer_client, dave) -> dict[str, Client]:
    nobody = Client()
    nobody.force_login(dave)
    return {
        "admin": admin_client_,
        "operator": operator_client,
        "viewer": viewer_client,
        "no role": nobody,
        "anonymous": Client(),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("operator", 200), ("viewer", 200), ("no role", 403), ("anonymous", 302)],
)
def test_reading_the_library_needs_a_role(clients, account, who, status):
    response = clients[who].get("/motions/")

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith("/login/?next=/motions/")


@pytest.mark.parametrize("path", ["/motions/status/", "/motions/deletions/?motion=1"])
def test_polled_fragments_answer_403_not_a_login_page_without_a_session(clients, path):
    assert clients["anonymous"].get(path, headers=HX).status_code == 403


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 302), ("operator", 302), ("viewer", 403), ("no role", 403), ("anonymous", 302)],
)
def test_refreshing_needs_an_operator(clients, account, sync_jobs, who, status):
    response = clients[who].post("/motions/refresh/", {"account": account.pk})

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith("/login/")
    requested = LibrarySync.objects.filter(requested_at__isnull=False).exists()
    assert requested == (who in ("admin", "operator"))


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("operator", 200), ("viewer", 403), ("no role", 403), ("anonymous", 302)],
)
def test_the_delete_confirmation_needs_an_operator(clients, account, make_motion, who, status):
    motion = make_motion(account)

    assert clients[who].get(f"/motions/delete/?motion={motion.pk}").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 302), ("operator", 302), ("viewer", 403), ("no role", 403), ("anonymous", 302)],
)
def test_deleting_needs_an_operator(clients, account, make_motion, who, status):
    motion = make_motion(account)

    response = clients[who].post("/motions/delete/", {"motion": [motion.pk]})

    assert response.status_code == status
    assert MotionDeletion.objects.exists() == (who in ("admin", "operator"))


def test_refresh_is_post_only(operator_client, account):
    assert operator_client.get("/motions/refresh/").status_code == 405


def test_the_refresh_button_refreshes_the_chosen_account_and_goes_back(
    operator_client, account, other_account, upstream, django_capture_on_commit_callbacks
):
    upstream.mine[account.email] = [mine_2025(1)]
    back = f"/motions/?account={account.pk}&tab=official"

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post("/motions/refresh/", {"account": account.pk, "next": back})

    assert response["Location"] == back
    assert {c["email"] for c in upstream.list_calls()} == {account.email}
    assert LibrarySync.objects.get(account=account).mine_count == 1
    page = operator_client.get(back).content.decode()
    assert "Refreshing the library of Studio A from useapi.net." in page


def test_the_refresh_button_without_an_account_refreshes_every_enabled_one(
    admin_client_, account, other_account, upstream, django_capture_on_commit_callbacks
):
    other_account.enabled = False
    other_account.save()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post("/motions/refresh/")

    assert {c["email"] for c in upstream.list_calls()} == {account.email}


def test_refreshing_an_unknown_account_is_a_404(operator_client, db):
    assert operator_client.post("/motions/refresh/", {"account": 999}).status_code == 404


def test_the_library_is_in_the_navigation(viewer_client, account):
    page = viewer_client.get("/motions/").content.decode()

    assert '<a href="/motions/" aria-current="page">Motions</a>' in page
