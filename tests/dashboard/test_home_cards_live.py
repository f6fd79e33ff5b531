"""The home page's account cards are polled: a health change shows without a reload, in a few
queries, and an unchanged poll is an empty 204."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse

from motionhub.accounts import health
from motionhub.accounts.models import Health, KlingAccount
from motionhub.tasks.models import State

CARDS = reverse("home_cards")


def _version(html: str) -> str:
    return re.search(r'hx-vals=\'\{"v": "([0-9a-f]+)"\}\'', html).group(1)


def test_the_home_page_polls_its_cards_and_a_health_change_comes_in_the_next_poll(
    viewer_client, connection
):
    account = KlingAccount.objects.create(connection=connection, email="a@example.com", label="A")
    home = viewer_client.get(reverse("home")).content.decode()
    assert f'hx-get="{CARDS}"' in home and 'hx-trigger="every 5s"' in home
    shown = _version(home)

    # Nothing changed: nothing to swap.
    assert viewer_client.get(CARDS, {"v": shown}).status_code == 204

    health.change(account.pk, Health.NEEDS_RELOGIN, "The create call: Account session is broken")
    fresh = viewer_client.get(CARDS, {"v": shown})

    assert fresh.status_code == 200
    body = fresh.content.decode()
    assert 'id="account-cards"' in body
    assert "needs re-login" in body and "Account session is broken" in body
    assert _version(body) != shown
    assert "<html" not in body  # a fragment, not a page
    assert viewer_client.get(CARDS, {"v": _version(body)}).status_code == 204


def test_the_fragment_takes_a_few_queries_however_many_tasks(
    viewer_client, connection, make_task, django_assert_max_num_queries
):
    accounts = [
        KlingAccount.objects.create(connection=connection, email=f"a{i}@example.com")
        for i in range(6)
    ]
    for i in range(200):
        make_task(account=accounts[i % 6], ago=timedelta(hours=i), state=State.PROCESSING)
    viewer_client.get(reverse("home"))  # the session remembers the role

    # Session, person; accounts, in-flight counts.
    with django_assert_max_num_queries(4):
        assert viewer_client.get(CARDS).status_code == 200


def test_the_fragment_needs_a_role(dave, client):
    client.force_login(dave)
    assert client.get(CARDS).status_code == 403
