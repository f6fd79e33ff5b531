"""Adding, changing and removing Kling accounts: the admin's forms and the jobs behind them."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse

from motionhub.accounts import jobs
from motionhub.accounts.models import AccountChange, KlingAccount

from .conftest import BASE, PASSWORD, TOKEN, account_json

ADD_URL = "accounts:account_add"


def _balance_json(email: str, total: int = 56000, max_jobs: int = 3) -> dict:
    return account_json(
        email, max_jobs, balance={"points": [], "tickets": [], "nextApplyTime": 0, "total": total}
    )


def _add(client, connection, **data):
    form = {"email": "new@example.com", "password": PASSWORD, "max_jobs": 4, "label": "New"}
    form.update(data)
    return client.post(reverse(ADD_URL, args=[connection.pk]), form)


def test_it_adds_an_account_through_post_accounts_and_stores_its_balance(
    admin_client_, connection, upstream, run_jobs
):
    upstream.post(f"{BASE}/accounts", status=201, json=account_json("new@example.com", 4))
    upstream.get(
        f"{BASE}/accounts/new@example.com", json=_balance_json("new@example.com", max_jobs=4)
    )

    response = run_jobs(_add, admin_client_, connection)

    assert response.status_code == 302
    sent = json.loads(upstream.calls[0].request.body)
    assert sent == {"email": "new@example.com", "password": PASSWORD, "maxJobs": 4}
    assert upstream.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    account = KlingAccount.objects.get(email="new@example.com")
    assert (account.label, account.max_jobs, account.credits) == ("New", 4, 56000)
    assert account.session_expires_at.year == 2030
    change = AccountChange.objects.get()
    assert change.state == AccountChange.State.DONE
    assert change.secret_encrypted == ""


def test_it_keeps_the_password_only_encrypted_until_the_job_has_sent_it(
    admin_client_, connection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _add(admin_client_, connection)

    change = AccountChange.objects.get()
    assert change.state == AccountChange.State.PENDING
    assert change.secret_encrypted and PASSWORD not in change.secret_encrypted
    assert len(callbacks) == 1  # the job is enqueued only once the request's data is committed


def test_a_wrong_password_fails_with_the_upstream_message_and_saves_nothing(
    admin_client_, connection, upstream, run_jobs
):
    upstream.post(
        f"{BASE}/accounts",
        status=400,
        json={"error": "Account does not exist or password is incorrect"},
    )

    run_jobs(_add, admin_client_, connection)

    assert not KlingAccount.objects.exists()
    change = AccountChange.objects.get()
    assert change.state == AccountChange.State.FAILED
    assert "password is incorrect" in change.message
    assert change.secret_encrypted == ""
    page = admin_client_.get(reverse("accounts:index")).content.decode()
    assert "password is incorrect" in page
    assert PASSWORD not in page


def test_a_revoked_token_is_reported_on_the_connection(
    admin_client_, connection, upstream, run_jobs
):
    upstream.post(f"{BASE}/accounts", status=401, json={"error": "Unauthorized", "code": 401})

    run_jobs(_add, admin_client_, connection)

    connection.refresh_from_db()
    assert "token" in connection.last_error.lower()
    assert AccountChange.objects.get().state == AccountChange.State.FAILED


@pytest.mark.parametrize("max_jobs", [0, 51, "many"])
def test_it_refuses_a_max_jobs_outside_one_to_fifty(admin_client_, connection, max_jobs):
    response = _add(admin_client_, connection, max_jobs=max_jobs)

    assert response.status_code == 200
    assert response.context["form"].errors["max_jobs"]
    assert not AccountChange.objects.exists()


def test_it_refuses_an_account_already_on_the_connection(admin_client_, connection, kling_account):
    response = _add(admin_client_, connection, email="ONE@example.com")

    assert "already configured" in response.content.decode()
    assert not AccountChange.objects.exists()


def test_changing_max_jobs_needs_the_password_again(admin_client_, kling_account):
    url = reverse("accounts:account_edit", args=[kling_account.pk])
    response = admin_client_.post(url, {"label": "One", "enabled": "on", "max_jobs": 7})

    assert "Enter the Kling password" in response.content.decode()
    kling_account.refresh_from_db()
    assert kling_account.max_jobs == 3


def test_changing_max_jobs_is_applied_once_useapi_accepts_it(
    admin_client_, kling_account, upstream, run_jobs
):
    upstream.post(f"{BASE}/accounts", status=201, json=account_json("one@example.com", 7))
    upstream.get(
        f"{BASE}/accounts/one@example.com", json=_balance_json("one@example.com", max_jobs=7)
    )
    url = reverse("accounts:account_edit", args=[kling_account.pk])

    run_jobs(
        admin_client_.post,
        url,
        {"label": "Renamed", "enabled": "on", "max_jobs": 7, "password": PASSWORD},
    )

    kling_account.refresh_from_db()
    assert (kling_account.label, kling_account.max_jobs) == ("Renamed", 7)
    assert json.loads(upstream.calls[0].request.body)["maxJobs"] == 7


def test_label_and_enabled_change_locally_without_calling_upstream(
    admin_client_, kling_account, upstream, run_jobs
):
    url = reverse("accounts:account_edit", args=[kling_account.pk])

    run_jobs(admin_client_.post, url, {"label": "Quiet", "max_jobs": 3})

    kling_account.refresh_from_db()
    assert (kling_account.label, kling_account.enabled) == ("Quiet", False)
    assert len(upstream.calls) == 0
    assert not AccountChange.objects.exists()


def test_removing_asks_for_confirmation_first(admin_client_, kling_account):
    url = reverse("accounts:account_remove", args=[kling_account.pk])

    page = admin_client_.get(url).content.decode()

    assert "Remove one@example.com?" in page
    assert not AccountChange.objects.exists()


@pytest.mark.parametrize("status", [204, 404])
def test_removing_calls_delete_accounts_and_a_404_counts_as_gone(
    admin_client_, kling_account, upstream, run_jobs, status
):
    upstream.delete(f"{BASE}/accounts/one@example.com", status=status)
    url = reverse("accounts:account_remove", args=[kling_account.pk])

    run_jobs(admin_client_.post, url)

    kling_account.refresh_from_db()
    assert kling_account.removed_at is not None
    assert not KlingAccount.active.exists()
    assert AccountChange.objects.get().state == AccountChange.State.DONE


def test_a_failed_removal_keeps_the_account(admin_client_, kling_account, upstream, run_jobs):
    upstream.delete(f"{BASE}/accounts/one@example.com", status=503)
    url = reverse("accounts:account_remove", args=[kling_account.pk])

    run_jobs(admin_client_.post, url)

    assert KlingAccount.active.filter(pk=kling_account.pk).exists()
    assert AccountChange.objects.get().state == AccountChange.State.FAILED


def test_a_change_runs_once_even_when_the_job_runs_twice(connection, upstream):
    upstream.post(f"{BASE}/accounts", status=201, json=account_json("a@example.com"))
    upstream.get(f"{BASE}/accounts/a@example.com", json=_balance_json("a@example.com"))
    change = jobs.request_change(
        connection, AccountChange.Action.ADD, email="a@example.com", max_jobs=3, password="x"
    )

    jobs.apply_account_change(change.pk)
    jobs.apply_account_change(change.pk)

    assert len([c for c in upstream.calls if c.request.method == "POST"]) == 1


def test_the_password_never_reaches_a_log_line(
    admin_client_, connection, upstream, run_jobs, caplog
):
    caplog.set_level(logging.DEBUG)
    upstream.post(f"{BASE}/accounts", status=500, json={"error": f"boom {PASSWORD}"})

    run_jobs(_add, admin_client_, connection)

    assert PASSWORD not in caplog.text
    assert TOKEN not in caplog.text
    assert PASSWORD not in AccountChange.objects.get().message


def test_sync_mirrors_the_upstream_accounts_and_slots(connection, kling_account, upstream):
    upstream.get(
        f"{BASE}/accounts",
        json={
            "two@example.com": account_json("two@example.com", 5),
            "three@example.com": account_json("three@example.com", 2),
        },
    )
    upstream.get(
        f"{BASE}/scheduler/available",
        json={
            "executing": [],
            "available": [
                {"email": "two@example.com", "maxJobs": 5, "executing": 2, "available": 3}
            ],
        },
    )
    upstream.get(f"{BASE}/accounts/two@example.com", json=_balance_json("two@example.com", 900, 5))
    upstream.get(f"{BASE}/accounts/three@example.com", json=_balance_json("three@example.com"))

    assert jobs.sync_connection(connection) == 2

    two = KlingAccount.active.get(email="two@example.com")
    assert (two.max_jobs, two.slots_in_use, two.credits) == (5, 2, 900)
    kling_account.refresh_from_db()
    assert kling_account.removed_at is not None  # no longer configured upstream
    connection.refresh_from_db()
    assert connection.last_synced_at is not None and connection.last_error == ""


def test_a_stale_running_change_is_failed_and_its_password_wiped(connection, upstream):
    from datetime import timedelta

    from django.utils import timezone

    upstream.get(f"{BASE}/accounts", json={})
    upstream.get(f"{BASE}/scheduler/available", json={"executing": [], "available": []})
    change = jobs.request_change(
        connection, AccountChange.Action.ADD, email="a@example.com", max_jobs=3, password="x"
    )
    AccountChange.objects.filter(pk=change.pk).update(
        state=AccountChange.State.RUNNING, created_at=timezone.now() - timedelta(hours=1)
    )

    jobs.sync_all()

    change.refresh_from_db()
    assert change.state == AccountChange.State.FAILED
    assert change.secret_encrypted == ""


def _sync_answers(upstream, *emails: str) -> None:
    upstream.get(f"{BASE}/accounts", json={e: account_json(e) for e in emails})
    upstream.get(f"{BASE}/scheduler/available", json={"executing": [], "available": []})
    for email in emails:
        upstream.get(f"{BASE}/accounts/{email}", json=_balance_json(email))


def test_a_404_for_the_account_list_changes_nothing_and_says_why(
    connection, kling_account, upstream
):
    upstream.get(f"{BASE}/accounts", status=404, body="Not found")

    with pytest.raises(jobs.UseapiError):
        jobs.sync_connection(connection)

    kling_account.refresh_from_db()
    assert kling_account.removed_at is None and kling_account.enabled
    connection.refresh_from_db()
    assert "404" in connection.last_error and "Nothing was changed" in connection.last_error


def test_a_sync_request_answered_404_fails_with_a_message_that_names_the_base_url(
    admin_client_, connection, kling_account, upstream, run_jobs
):
    upstream.get(f"{BASE}/accounts", status=404, body="Not found")

    run_jobs(admin_client_.post, reverse("accounts:connection_sync", args=[connection.pk]))

    change = AccountChange.objects.get(action="sync")
    assert change.state == "failed" and "base URL" in change.message
    assert "Re-upload" not in change.message
    assert KlingAccount.active.filter(pk=kling_account.pk, enabled=True).exists()


def test_sync_enables_again_the_accounts_it_disabled_itself_but_not_a_persons(
    connection, kling_account, upstream
):
    parked = KlingAccount.objects.create(
        connection=connection, email="parked@example.com", enabled=False
    )
    _sync_answers(upstream, "other@example.com")  # both gone from useapi's list for a while …
    jobs.sync_connection(connection)
    kling_account.refresh_from_db()
    assert kling_account.removed_at is not None and not kling_account.enabled

    upstream.reset()  # … then back
    _sync_answers(upstream, "one@example.com", "parked@example.com")
    jobs.sync_connection(connection)

    kling_account.refresh_from_db()
    parked.refresh_from_db()
    assert kling_account.removed_at is None and kling_account.enabled
    assert parked.removed_at is None and not parked.enabled  # a person disabled it


def test_a_person_disabling_an_account_a_sync_disabled_makes_it_stay_disabled(
    admin_client_, connection, kling_account, upstream
):
    KlingAccount.objects.filter(pk=kling_account.pk).update(enabled=False, disabled_by_sync=True)
    admin_client_.post(
        reverse("accounts:account_edit", args=[kling_account.pk]),
        {"label": "One", "max_jobs": 3, "enabled": "on"},
    )
    admin_client_.post(
        reverse("accounts:account_edit", args=[kling_account.pk]), {"label": "One", "max_jobs": 3}
    )
    _sync_answers(upstream, "one@example.com")

    jobs.sync_connection(connection)

    kling_account.refresh_from_db()
    assert not kling_account.enabled and not kling_account.disabled_by_sync


def test_a_pending_change_whose_job_was_lost_is_failed_and_its_password_wiped(connection, upstream):
    from datetime import timedelta

    from django.utils import timezone

    _sync_answers(upstream)
    lost = jobs.request_change(
        connection, AccountChange.Action.ADD, email="a@example.com", max_jobs=3, password="x"
    )
    fresh = jobs.request_change(
        connection, AccountChange.Action.ADD, email="b@example.com", max_jobs=3, password="y"
    )
    AccountChange.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    # A final change that somehow kept its password loses it too.
    done = jobs.request_change(connection, AccountChange.Action.ADD, email="c@example.com",
                               max_jobs=3, password="z")  # fmt: skip
    AccountChange.objects.filter(pk=done.pk).update(state=AccountChange.State.DONE)

    jobs.sync_all()

    lost.refresh_from_db()
    fresh.refresh_from_db()
    done.refresh_from_db()
    assert lost.state == AccountChange.State.FAILED and lost.secret_encrypted == ""
    assert fresh.state == AccountChange.State.PENDING and fresh.secret_encrypted != ""
    assert done.secret_encrypted == ""
    # The lost job, should it run after all, finds nothing to do.
    jobs.apply_account_change(lost.pk)
    lost.refresh_from_db()
    assert lost.state == AccountChange.State.FAILED
