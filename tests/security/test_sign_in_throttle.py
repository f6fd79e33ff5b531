"""Throttled sign-in: 5 failures for a username, or 20 from one address, within 15 minutes, and
further attempts are refused (429 and a clear message) without the password being checked.

The failures are counted from the audit log in the database, so every web process shares the
count: the tests below write some of them straight into the table, as another process would.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.utils import timezone

from motionhub import audit
from motionhub.audit import throttle
from motionhub.audit.models import AuditEntry

OTHER_ADDRESS = "203.0.113.9"


def sign_in(username: str, password: str, address: str = "127.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/login/", {"username": username, "password": password})
    return response, client


def fail(username: str, times: int, address: str = "127.0.0.1") -> None:
    for _ in range(times):
        response, _ = sign_in(username, "wrong password", address)
        assert response.status_code == 200


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def failure(username: str, ip: str, minutes_ago: float, detail: str = "wrong password") -> None:
    """A failed sign-in recorded by some other web process, `minutes_ago`."""
    AuditEntry(
        at=timezone.now() - timedelta(minutes=minutes_ago),
        action=audit.Action.LOGIN_FAILED,
        actor_name=username,
        outcome=audit.Outcome.REFUSED,
        detail=detail,
        ip=ip,
    ).save()


def test_after_five_failures_even_the_right_password_is_refused_without_being_checked(alice):
    fail("alice", 5)

    with mock.patch.object(ModelBackend, "authenticate", autospec=True) as check:
        response, client = sign_in("alice", "pw-alice")

    assert check.call_count == 0  # the password was not even looked at
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 800
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and "Try again in 15 minutes" in page
    assert "do not match" not in page
    assert 'value="alice"' in page  # the form, ready for later
    assert not signed_in(client)
    refusal = AuditEntry.objects.filter(detail=throttle.THROTTLED_DETAIL).get()
    assert refusal.action == "auth.login_failed" and refusal.outcome == "refused"
    assert refusal.actor_name == "alice" and refusal.ip == "127.0.0.1"


def test_four_failures_do_not_lock_anyone_out(alice):
    fail("alice", 4)

    response, client = sign_in("alice", "pw-alice")

    assert response.status_code == 302 and signed_in(client)


def test_other_people_still_sign_in_from_the_same_address(alice, bob):
    fail("alice", 5)

    response, client = sign_in("bob", "pw-bob")

    assert response.status_code == 302 and signed_in(client)


def test_a_locked_username_is_locked_from_every_address(alice):
    fail("alice", 5)

    response, client = sign_in("alice", "pw-alice", address=OTHER_ADDRESS)

    assert response.status_code == 429 and not signed_in(client)


def test_variants_of_a_username_count_together(alice):
    for variant in ("alice", "Alice", " ALICE ", "alicE", "alice"):
        sign_in(variant, "wrong password")

    response, _ = sign_in("alice", "pw-alice")

    assert response.status_code == 429


def test_twenty_failures_from_one_address_lock_that_address_only(bob):
    for n in range(20):
        fail(f"guess{n}", 1)

    refused, client = sign_in("bob", "pw-bob")
    elsewhere, other = sign_in("bob", "pw-bob", address=OTHER_ADDRESS)

    assert refused.status_code == 429 and not signed_in(client)
    assert elsewhere.status_code == 302 and signed_in(other)


def test_failures_older_than_the_window_do_not_count(alice):
    for _ in range(10):
        failure("alice", "127.0.0.1", minutes_ago=16)
    failure("alice", "127.0.0.1", minutes_ago=14)

    response, client = sign_in("alice", "pw-alice")

    assert response.status_code == 302 and signed_in(client)


def test_failures_recorded_by_another_process_count(alice):
    for minutes in (1, 3, 5, 7, 9):
        failure("alice", "198.51.100.1", minutes_ago=minutes)

    response, _ = sign_in("alice", "pw-alice")

    assert response.status_code == 429
    # The lock ends when the oldest counted failure leaves the window: 15 - 9 = 6 minutes.
    assert 300 < int(response["Retry-After"]) <= 360
    assert "Try again in 6 minutes" in response.content.decode()


def test_refusals_do_not_extend_the_lock(alice):
    """Hammering a locked username does not keep it locked: only real failures count."""
    for _ in range(4):
        failure("alice", "127.0.0.1", minutes_ago=1)
    for _ in range(30):
        failure("alice", "127.0.0.1", minutes_ago=0.5, detail=throttle.THROTTLED_DETAIL)

    response, client = sign_in("alice", "pw-alice")

    assert response.status_code == 302 and signed_in(client)


def test_the_admin_sign_in_form_is_throttled_too(alice):
    fail("alice", 5)
    client = Client()

    with mock.patch.object(ModelBackend, "authenticate", autospec=True) as check:
        response = client.post(
            "/admin/login/?next=/admin/", {"username": "alice", "password": "pw-alice"}
        )

    assert check.call_count == 0
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert not signed_in(client)
    assert AuditEntry.objects.filter(detail=throttle.THROTTLED_DETAIL).count() == 1


@pytest.mark.parametrize("username", ["", "x" * 500])
def test_odd_usernames_are_handled(db, username):
    for _ in range(6):
        response, _ = sign_in(username, "wrong password")
        assert response.status_code in (200, 429)


def test_the_refusal_is_listed_in_the_audit_log(alice, charlie):
    fail("alice", 5)
    sign_in("alice", "pw-alice")
    viewer = Client()
    viewer.force_login(charlie)

    page = viewer.get("/audit/?action=auth.login_failed").content.decode()

    assert throttle.THROTTLED_DETAIL in page
