"""The accounts page polls its health labels: a change shows without a reload, in one query."""

from __future__ import annotations

from django.urls import reverse

from motionhub.accounts import health
from motionhub.accounts.models import Health


def test_the_accounts_page_polls_the_labels_and_a_change_comes_in_the_next_poll(
    viewer_client, kling_account, django_assert_max_num_queries
):
    page = viewer_client.get(reverse("accounts:index")).content.decode()
    assert f'hx-get="{reverse("accounts:health")}"' in page
    assert f'id="health-{kling_account.pk}"' in page
    assert page.count('id="health-poll"') == 1
    assert "<title>Accounts" in page and "health-poll" not in page.split("</title>")[0]

    health.change(kling_account.pk, Health.OUT_OF_CREDITS, "The balance is 0, at or below 0.")
    with django_assert_max_num_queries(3):  # session, person; the accounts' health columns
        polled = viewer_client.get(reverse("accounts:health"))

    body = polled.content.decode()
    assert f'id="health-{kling_account.pk}" hx-swap-oob="true"' in body
    assert "out of credits" in body and "The balance is 0" in body
    assert "<html" not in body and "Edit" not in body
