"""GET/POST /accounts and GET/DELETE /accounts/{email}."""

from __future__ import annotations

from motionhub.sandbox.models import Account
from tests.sandbox.conftest import EMAIL


def test_it_adds_an_account_and_masks_the_password(api, transactional_db):
    answer = api.post("accounts", {"email": EMAIL, "password": "s3cret-pw", "maxJobs": 4})

    assert answer.status_code == 201
    body = answer.json()
    assert body["email"] == EMAIL
    assert body["maxJobs"] == 4
    assert body["password"] == "…secured…"
    assert set(body["session"]) == {"userId", "ExpireTime", "ExpireTimeUTC"}
    assert isinstance(body["session"]["ExpireTime"], int)
    assert body["session"]["ExpireTimeUTC"].endswith("Z")
    assert "s3cret-pw" not in str(Account.objects.values().get())


def test_it_accepts_a_multipart_form_and_updates_max_jobs(api, account):
    answer = api.post(
        "accounts/",
        files={"email": (None, EMAIL), "password": (None, "pw"), "maxJobs": (None, "7")},
    )

    assert answer.status_code == 201
    assert answer.json()["maxJobs"] == 7
    assert Account.objects.get().max_jobs == 7


REFUSED_ACCOUNTS = [
    ({"password": "pw", "maxJobs": 1}, "Parameter email is required"),
    ({"email": EMAIL, "maxJobs": 1}, "Parameter password is required"),
    ({"email": EMAIL, "password": "pw"}, "Parameter maxJobs is required"),
    (
        {"email": EMAIL, "password": "pw", "maxJobs": 51},
        "Parameter maxJobs must be an integer from 1 to 50",
    ),
    (
        {"email": EMAIL, "password": "pw", "maxJobs": 0},
        "Parameter maxJobs must be an integer from 1 to 50",
    ),
    (
        {"email": "not-an-email", "password": "pw", "maxJobs": 1},
        "Parameter email must be an email address",
    ),
    (
        {"email": EMAIL, "password": "pw", "maxJobs": 1, "passToken": "t"},
        "Parameters passToken, did and userId go together: give all three",
    ),
]


def test_it_names_the_field_it_refuses(api, transactional_db):
    for body, error in REFUSED_ACCOUNTS:
        answer = api.post("accounts", body)

        assert answer.status_code == 400, body
        assert answer.json() == {"error": error}


def test_the_wrong_password_trigger_fails_the_login(api, transactional_db):
    answer = api.post("accounts", {"email": EMAIL, "password": "wrong-password", "maxJobs": 1})

    assert answer.status_code == 400
    assert answer.json() == {"error": "Account does not exist or password is incorrect"}
    assert not Account.objects.exists()


def test_it_lists_accounts_keyed_by_email(api, account):
    api.post("accounts", {"email": "b@sandbox.test", "password": "pw", "maxJobs": 2})

    body = api.get("accounts").json()

    assert list(body) == [EMAIL, "b@sandbox.test"]
    assert body["b@sandbox.test"]["maxJobs"] == 2
    assert "balance" not in body[EMAIL]


def test_the_list_is_plain_text_404_when_nothing_is_configured(api, transactional_db):
    answer = api.get("accounts")

    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("text/plain")


def test_one_account_carries_its_balance(api, account):
    body = api.get(f"accounts/{EMAIL}").json()

    assert body["email"] == EMAIL
    assert body["balance"]["total"] == 56000
    assert body["balance"]["tickets"] == []
    point = body["balance"]["points"][0]
    assert set(point) == {"orderId", "type", "amount", "balance", "startTime", "endTime"}
    assert isinstance(body["balance"]["nextApplyTime"], int)


def test_an_unknown_account_is_404(api, account):
    assert api.get("accounts/nobody@sandbox.test").status_code == 404
    assert api.delete("accounts/nobody@sandbox.test").json() == {
        "error": "Account nobody@sandbox.test not found"
    }


def test_delete_answers_204_without_a_body(api, account):
    answer = api.delete(f"accounts/{EMAIL}")

    assert answer.status_code == 204
    assert answer.content == b""
    assert not Account.objects.exists()
