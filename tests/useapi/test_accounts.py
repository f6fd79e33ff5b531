"""Kling accounts: GET/POST /accounts, GET/DELETE /accounts/{email}."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from motionhub.useapi import Account, InvalidInput, NotFound, Unauthorized

from .samples import ACCOUNT_WITH_BALANCE, ACCOUNTS, BASE, EMAIL, TOKEN

ENCODED_EMAIL = "team%2Bkling@example.com"  # "+" would read as a space if left bare


def test_it_lists_the_accounts_keyed_by_email(api, client):
    api.get(f"{BASE}/accounts", json=ACCOUNTS)
    accounts = client.list_accounts()
    request = api.calls[0].request
    assert request.method == "GET"
    assert request.url == f"{BASE}/accounts"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert [a.email for a in accounts] == [EMAIL, "second@example.com"]
    first, second = accounts
    assert first.max_jobs == 5
    assert first.session_user_id == "12345"
    assert first.session_expires_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert first.credits is None  # the list has no balance
    # epoch seconds and a numeric userId are accepted too
    assert second.session_user_id == "67890"
    assert second.session_expires_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_a_404_for_the_account_list_is_raised_not_taken_for_no_accounts(api, client):
    # useapi says so while nothing is configured, but so does a wrong base URL or a proxy.
    api.get(f"{BASE}/accounts", status=404, body="Configuration not found. Use POST /accounts.")
    with pytest.raises(NotFound):
        client.list_accounts()


def test_it_does_not_hide_an_unauthorized_token_behind_an_empty_list(api, client):
    api.get(f"{BASE}/accounts", status=401, json={"error": "Unauthorized", "code": 401})
    with pytest.raises(Unauthorized):
        client.list_accounts()


def test_it_takes_the_email_from_the_key_when_an_item_lacks_it(api, client):
    api.get(f"{BASE}/accounts", json={"x@example.com": {"maxJobs": "3"}})
    assert client.list_accounts() == [Account(email="x@example.com", max_jobs=3)]


def test_it_gets_one_account_with_its_credit_balance(api, client):
    api.get(f"{BASE}/accounts/{ENCODED_EMAIL}", json=ACCOUNT_WITH_BALANCE)
    account = client.get_account(EMAIL)
    assert api.calls[0].request.url == f"{BASE}/accounts/{ENCODED_EMAIL}"
    assert account.email == EMAIL
    assert account.credits == 56000
    assert account.raw["balance"]["total"] == 56000


def test_it_reads_the_session_expiry_from_epoch_ms_when_no_iso_time_is_given(api, client):
    api.get(
        f"{BASE}/accounts/{ENCODED_EMAIL}",
        json={"email": EMAIL, "session": {"ExpireTime": 1_767_225_600_000}},
    )
    assert client.get_account(EMAIL).session_expires_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_it_raises_not_found_for_an_unknown_account(api, client):
    api.get(f"{BASE}/accounts/{ENCODED_EMAIL}", status=404, json={"error": "not configured"})
    with pytest.raises(NotFound):
        client.get_account(EMAIL)


def test_it_adds_an_account_with_email_password_and_max_jobs(api, client):
    api.post(f"{BASE}/accounts", status=201, json=ACCOUNTS[EMAIL])
    account = client.add_account(EMAIL, "kling-pass-123", 5)
    request = api.calls[0].request
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.body) == {
        "email": EMAIL,
        "password": "kling-pass-123",
        "maxJobs": 5,
    }
    assert account.email == EMAIL
    assert account.max_jobs == 5


def test_it_masks_the_password_in_the_raw_answer(api, client):
    api.post(f"{BASE}/accounts", status=201, json={**ACCOUNTS[EMAIL], "password": "plain!"})
    account = client.add_account(EMAIL, "plain!", 5)
    assert account.raw["password"] == "***"
    assert "plain!" not in json.dumps(account.raw)


def test_it_never_repeats_the_password_in_an_error(api, client):
    api.post(
        f"{BASE}/accounts",
        status=400,
        json={"error": "Account does not exist or password is incorrect: kling-pass-123"},
    )
    with pytest.raises(InvalidInput) as caught:
        client.add_account(EMAIL, "kling-pass-123", 5)
    assert "kling-pass-123" not in str(caught.value)
    assert "password is incorrect" in caught.value.upstream_error


@pytest.mark.parametrize(
    "answer",
    [{"status": 204, "body": ""}, {"status": 200, "json": {"deleted": True}}],
)
def test_it_deletes_an_account_whatever_the_success_body(api, client, answer):
    api.delete(f"{BASE}/accounts/{ENCODED_EMAIL}", **answer)
    assert client.delete_account(EMAIL) is None
    request = api.calls[0].request
    assert request.method == "DELETE"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_it_raises_not_found_when_deleting_an_unknown_account(api, client):
    api.delete(f"{BASE}/accounts/{ENCODED_EMAIL}", status=404, body="not found")
    with pytest.raises(NotFound):
        client.delete_account(EMAIL)
