"""Demo triggers on an account that already exists: a broken session, a balance that drops with
each task (and can be set low), a streak of 429s. Over real HTTP, and from the command line."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from motionhub.sandbox import state
from motionhub.sandbox.models import TASK_COST, Account
from tests.sandbox.test_triggers import _create

EMAIL = "demo@sandbox.test"


@pytest.fixture
def demo(api, transactional_db, png) -> str:
    """An ordinary account (no marker) and the URL of an image it uploaded."""
    assert api.post("accounts", {"email": EMAIL, "password": "pw", "maxJobs": 5}).status_code == 201
    answer = api.upload("image/png", png, email=EMAIL)
    assert answer.status_code == 200, answer.text
    return answer.json()["url"]


def test_a_broken_session_answers_596_until_the_account_is_added_again(api, demo):
    state.break_session(EMAIL)

    for answer in (api.get(f"accounts/{EMAIL}"), _create(api, EMAIL, demo)):
        assert answer.status_code == 596
        assert answer.json() == {"error": "Account session is broken"}

    assert api.post("accounts", {"email": EMAIL, "password": "pw", "maxJobs": 5}).status_code == 201
    assert api.get(f"accounts/{EMAIL}").status_code == 200


def test_each_task_costs_credits_and_a_short_balance_is_refused(api, demo):
    before = api.get(f"accounts/{EMAIL}").json()["balance"]["total"]

    created = _create(api, EMAIL, demo).json()

    assert created["userPoints"]["total"] == before  # the balance as the task was accepted
    after = api.get(f"accounts/{EMAIL}").json()["balance"]["total"]
    assert after == before - TASK_COST
    assert api.get(f"tasks/{created['task']['id']}").json()["userPoints"]["total"] == after

    state.set_credits(EMAIL, TASK_COST - 1)
    refused = _create(api, EMAIL, demo)
    assert refused.status_code == 400 and "Insufficient credits" in refused.json()["error"]
    assert Account.objects.get(email=EMAIL).credits == TASK_COST - 1  # nothing charged


def test_a_throttle_answers_that_many_create_calls_429_then_none(api, demo):
    state.throttle(EMAIL, 2)

    statuses = [_create(api, EMAIL, demo).status_code for _ in range(3)]

    assert statuses == [429, 429, 200]
    assert api.get(f"accounts/{EMAIL}").status_code == 200  # reads are not throttled


def test_the_command_pulls_each_trigger(demo):
    call_command("sandbox_trigger", "break", EMAIL)
    assert Account.objects.get(email=EMAIL).session_broken
    call_command("sandbox_trigger", "repair", EMAIL)
    call_command("sandbox_trigger", "credits", EMAIL, "150")
    call_command("sandbox_trigger", "throttle", EMAIL, "4")
    account = Account.objects.get(email=EMAIL)
    assert (account.session_broken, account.credits, account.throttle_left) == (False, 150, 4)
    with pytest.raises(CommandError, match="No sandbox account"):
        call_command("sandbox_trigger", "break", "nobody@sandbox.test")
    with pytest.raises(CommandError, match="needs a number"):
        call_command("sandbox_trigger", "credits", EMAIL)
