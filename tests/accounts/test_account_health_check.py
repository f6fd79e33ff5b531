"""The scheduled health check (GET /accounts/{email}): low balance, expired session, 596 and
recovery, each recorded on the account's timeline; and where the health is shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from motionhub.accounts import health
from motionhub.accounts.management.commands import motionhub_setup
from motionhub.accounts.models import AccountHealthEvent, Connection, Health, KlingAccount

from .conftest import BASE, account_json

URL = f"{BASE}/accounts/one@example.com"


def _balance(total: int) -> dict:
    return {"points": [], "tickets": [], "nextApplyTime": 0, "total": total}


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _timeline(account) -> list[tuple[str, str]]:
    return list(
        AccountHealthEvent.objects.filter(account=account)
        .order_by("at", "id")
        .values_list("from_state", "to_state")
    )


def test_a_balance_at_or_below_the_threshold_makes_the_account_out_of_credits(
    kling_account, upstream, settings
):
    settings.MOTIONHUB_OUT_OF_CREDITS_AT = 100
    upstream.get(URL, json=account_json("one@example.com", balance=_balance(100)))

    health.check_all()

    kling_account.refresh_from_db()
    assert kling_account.health == Health.OUT_OF_CREDITS and kling_account.credits == 100
    assert kling_account.health_reason == "The balance is 100, at or below 100."
    assert _timeline(kling_account) == [("active", "out_of_credits")]


def test_an_expired_session_makes_the_account_need_a_relogin(kling_account, upstream):
    body = account_json("one@example.com", balance=_balance(5000))
    body["session"]["ExpireTimeUTC"] = "2020-01-01T00:00:00.000Z"
    body["session"]["ExpireTime"] = 1577836800000
    upstream.get(URL, json=body)

    health.check_all()

    kling_account.refresh_from_db()
    assert kling_account.health == Health.NEEDS_RELOGIN
    assert "session expired at 2020-01-01" in kling_account.health_reason


def test_a_596_on_the_health_check_makes_the_account_need_a_relogin(kling_account, upstream):
    upstream.get(URL, status=596, json={"error": "Account session is broken", "code": 596})

    health.check_all()

    kling_account.refresh_from_db()
    assert kling_account.health == Health.NEEDS_RELOGIN
    assert kling_account.health_reason.startswith("Health check (GET /accounts/{email}):")


def test_the_health_check_moves_a_recovered_account_back_to_active_and_says_why(
    kling_account, upstream
):
    health.change(kling_account.pk, Health.NEEDS_RELOGIN, "The create call: 596")
    upstream.get(URL, json=account_json("one@example.com", balance=_balance(5000)))

    health.check_all()
    health.check_all()  # a second healthy read changes nothing more

    kling_account.refresh_from_db()
    assert kling_account.health == Health.ACTIVE and kling_account.credits == 5000
    assert _timeline(kling_account) == [("active", "needs_relogin"), ("needs_relogin", "active")]
    last = AccountHealthEvent.objects.filter(account=kling_account).first()
    assert "read the account fine" in last.why and "balance 5000" in last.why


def test_a_cool_down_is_ended_by_the_health_check_only_once_it_is_over(kling_account, upstream):
    soon = timezone.now() + timedelta(minutes=5)
    health.change(kling_account.pk, Health.COOLING_DOWN, "5 answers like 429", until=soon)
    upstream.get(URL, json=account_json("one@example.com", balance=_balance(5000)))

    health.check_all()
    assert KlingAccount.objects.get(pk=kling_account.pk).health == Health.COOLING_DOWN

    KlingAccount.objects.filter(pk=kling_account.pk).update(
        health_until=timezone.now() - timedelta(seconds=1)
    )
    health.check_all()
    assert KlingAccount.objects.get(pk=kling_account.pk).health == Health.ACTIVE


def test_disabled_accounts_are_not_read_and_say_disabled(kling_account, upstream):
    KlingAccount.objects.filter(pk=kling_account.pk).update(enabled=False)

    assert health.check_all() == 0
    assert KlingAccount.objects.get(pk=kling_account.pk).health_label == "disabled"


def test_the_accounts_page_shows_the_state_and_its_timeline(kling_account, viewer_client):
    health.change(kling_account.pk, Health.NEEDS_RELOGIN, "The create call: session is broken")

    page = viewer_client.get(reverse("accounts:index")).content.decode()

    assert "needs re-login" in page
    assert "Health timeline" in page and "The create call: session is broken" in page
    assert "active → <strong>needs_relogin</strong>" in page


def test_the_home_card_and_the_upload_form_show_the_state(kling_account, operator_client):
    soon = timezone.now() + timedelta(minutes=5)
    health.change(kling_account.pk, Health.COOLING_DOWN, "429s", until=soon)

    home = operator_client.get(reverse("home")).content.decode()
    form = operator_client.get(reverse("upload")).content.decode()

    label = f"cooling down until {timezone.localtime(soon):%H:%M}"
    assert label in home
    assert f"One · Production — {label} (tasks wait)" in form


# -- against the sandbox over HTTP ---------------------------------------------------------------


@pytest.fixture
def sandbox_connection(sandbox_url, live_server, settings):
    settings.MOTIONHUB_SANDBOX = True
    port = live_server.url.rsplit(":", 1)[1]
    call_command("motionhub_setup", port=int(port))
    return Connection.objects.get(name=motionhub_setup.SANDBOX_CONNECTION)


def test_the_health_check_against_the_sandbox_finds_a_broken_session(sandbox_connection):
    token = sandbox_connection.token
    call_command("sandbox_seed_account", token=token, email="demo+broken@sandbox.test", max_jobs=2)
    broken = KlingAccount.objects.create(
        connection=sandbox_connection, email="demo+broken@sandbox.test", max_jobs=2
    )

    assert health.check_all() == 3

    broken.refresh_from_db()
    assert broken.health == Health.NEEDS_RELOGIN
    studio_a = KlingAccount.objects.get(email="studio-a@sandbox.test")
    assert studio_a.health == Health.ACTIVE and studio_a.credits == 56000
    assert list(KlingAccount.objects.usable().values_list("email", flat=True)) == [
        "studio-a@sandbox.test",
        "studio-b@sandbox.test",
    ]


def test_the_health_check_against_the_sandbox_finds_an_account_out_of_credits(sandbox_connection):
    token = sandbox_connection.token
    call_command("sandbox_seed_account", token=token, email="demo+poor@sandbox.test", max_jobs=2)
    poor = KlingAccount.objects.create(
        connection=sandbox_connection, email="demo+poor@sandbox.test", max_jobs=2
    )

    health.check_all()

    poor.refresh_from_db()
    assert poor.health == Health.OUT_OF_CREDITS and poor.credits == 0
