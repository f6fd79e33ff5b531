"""The sandbox switch, the token, namespaces and the email selector."""

from __future__ import annotations

import requests

from motionhub.sandbox import state
from tests.sandbox.conftest import EMAIL, Api

UNAUTHORIZED = {"error": "Unauthorized", "code": 401}


def test_it_answers_404_everywhere_when_the_sandbox_is_off(api, account, settings, png):
    url = api.upload("image/png", png).json()["url"]
    settings.MOTIONHUB_SANDBOX = False

    assert api.get("accounts").status_code == 404
    assert api.post("videos/motion-upload", {}).status_code == 404
    assert requests.get(url, timeout=5).status_code == 404


def test_it_refuses_a_missing_or_malformed_token(sandbox_url):
    malformed = [
        "",
        "Bearer",
        "Bearer nonsense",
        "Bearer user:abc-x",
        "Bearer user:12-",
        "Token user:1-x",
    ]
    for headers in [{}, *({"Authorization": value} for value in malformed)]:
        answer = requests.get(f"{sandbox_url}/accounts", headers=headers, timeout=5)

        assert answer.status_code == 401, headers
        assert answer.json() == UNAUTHORIZED


def test_user_402_answers_subscription_required_everywhere(sandbox_url):
    lapsed = Api(sandbox_url, "user:402-anything")

    for answer in (lapsed.get("accounts"), lapsed.get("tasks/1"), lapsed.upload("image/png", b"x")):
        assert answer.status_code == 402
        assert answer.json() == {"error": "Subscription required", "code": 402}


def test_each_token_is_its_own_namespace(api, account, sandbox_url):
    other = Api(sandbox_url, "user:1002-someoneelse")

    assert list(api.get("accounts").json()) == [EMAIL]
    assert other.get("accounts").status_code == 404


def test_only_a_hash_of_the_token_is_stored(api, account):
    from motionhub.sandbox.models import Account

    stored = Account.objects.get(email=EMAIL)
    assert "sandboxtesttoken" not in str(stored.__dict__)
    assert len(stored.namespace) == 64


def test_email_may_be_omitted_with_one_account(api, account):
    assert api.get("videos/motions").status_code == 200


def test_email_is_required_with_several_accounts(api, account):
    state.seed_account(api.token, "second@sandbox.test")

    answer = api.get("videos/motions")

    assert answer.status_code == 400
    assert "email" in answer.json()["error"]
    assert api.get("videos/motions", email="second@sandbox.test").status_code == 200


def test_an_unknown_email_is_404(api, account):
    answer = api.get("videos/motions", email="nobody@sandbox.test")

    assert answer.status_code == 404
    assert answer.json() == {"error": "Account nobody@sandbox.test not found"}


def test_without_any_account_it_answers_plain_text_404(api):
    answer = api.get("videos/motions")

    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert "POST /accounts" in answer.text


def test_a_wrong_method_is_405(api, account):
    assert api.delete("videos/motions").status_code == 405
