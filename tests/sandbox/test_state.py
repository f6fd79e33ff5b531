"""The Python API (motionhub.sandbox.state) and concurrent submissions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from motionhub.sandbox import state
from motionhub.sandbox.models import Account, SandboxConfig, Task
from tests.conftest import SANDBOX_TOKEN
from tests.sandbox.conftest import EMAIL


def test_seed_account_creates_then_updates(transactional_db):
    first = state.seed_account(SANDBOX_TOKEN, EMAIL)
    again = state.seed_account(SANDBOX_TOKEN, EMAIL, max_jobs=9, credits=10)

    assert again.pk == first.pk
    assert (again.max_jobs, again.credits) == (9, 10)
    with pytest.raises(ValueError):
        state.seed_account("not-a-token", EMAIL)


def test_seeded_accounts_answer_over_http(api, account):
    assert api.get(f"accounts/{EMAIL}").json()["maxJobs"] == 3


def test_fast_forward_and_reset(api, video):
    body = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"]}
    api.post("videos/motion-upload", body)
    assert api.get("videos/motions", mine="true").json() == []

    assert state.fast_forward(3600, token=SANDBOX_TOKEN) == 1
    assert len(api.get("videos/motions", mine="true").json()) == 1

    state.configure(shape="2026")
    state.reset()
    assert not Account.objects.exists() and not Task.objects.exists()
    assert SandboxConfig.load().shape == "2025"


def test_concurrent_submissions_never_exceed_max_jobs(api, image_url):
    body = {"workId": -100000000000004, "image": image_url}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: api.post("videos/motion-create", body), range(8)))

    assert sorted(a.status_code for a in answers) == [200] * 3 + [429] * 5
    assert Task.objects.count() == len(state.create_calls()) == 3
