"""Every endpoint x every caller: admins and operators do everything, viewers only read,
someone without a role nothing, and no token or a revoked one is a 401 problem."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from motionhub.archive.models import KeptFile
from motionhub.library.models import Motion
from motionhub.tasks.models import Batch
from tests.api.conftest import assert_problem

READS = [
    ("get", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{task}"),
    ("get", "/api/v1/batches"),
    ("get", "/api/v1/batches/{batch}"),
    ("get", "/api/v1/library"),
    ("get", "/api/v1/accounts"),
    ("get", "/api/v1/files/{file}"),
]
# What an operator's call answers here: the route ran (a refusal of the input is fine).
WRITES = [
    ("post", "/api/v1/tasks/{task}/retry", 409),  # the task is queued, not failed
    ("post", "/api/v1/tasks/{task}/cancel", 200),
    ("post", "/api/v1/motions/upload", 422),  # no video sent
    ("post", "/api/v1/motions/create", 422),  # no motion, no image
    ("post", "/api/v1/batches/{batch}/retry", 200),
    ("post", "/api/v1/batches/{batch}/cancel", 200),
    ("delete", "/api/v1/library/{motion}", 409),  # an official motion
]
CALLERS = ["admin", "operator", "viewer", "no role", "no token", "revoked token"]


@pytest.fixture
def ids(account, make_task, bob, no_network) -> dict:
    batch = Batch.objects.create(name="Run", created_by=bob)
    task = make_task(batch=batch, account=account)
    motion = Motion.objects.create(account=account, kind="official", key="work:7", name="Hop",
                                   work_id=7)  # fmt: skip
    name = default_storage.save("archive/t/cover.jpg", ContentFile(b"jpeg"))
    kept = KeptFile.objects.create(
        task=task,
        kind="cover",
        name=name,
        size=4,
        sha256="x",
        content_type="image/jpeg",
        source_url="https://cdn/x.jpg",
    )
    return {"task": task.pk, "batch": batch.pk, "motion": motion.pk, "file": kept.pk}


def _call(api, method: str, path: str):
    return getattr(api, method)(path)


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize(("method", "path"), READS)
def test_reads(api_as, ids, who, method, path):
    response = _call(api_as(who), method, path.format(**ids))
    if who in ("no token", "revoked token"):
        body = assert_problem(response, 401)
        assert response["WWW-Authenticate"] == "Bearer"
        assert "mhk_" not in body["detail"]
    elif who == "no role":
        assert_problem(response, 403, "viewer")
    else:
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith(("application/json", "image/jpeg"))


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize(("method", "path", "done"), WRITES)
def test_writes(api_as, ids, who, method, path, done):
    response = _call(api_as(who), method, path.format(**ids))
    if who in ("no token", "revoked token"):
        assert_problem(response, 401)
    elif who in ("viewer", "no role"):
        assert_problem(response, 403, "operator")
    else:
        assert response.status_code == done, response.content


def test_a_signed_in_session_works_too_and_its_writes_need_the_csrf_token(viewer_client, bob, ids):
    assert viewer_client.get("/api/v1/tasks").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    assert_problem(strict.post(f"/api/v1/tasks/{ids['task']}/cancel"), 403, "CSRF")
    strict.get("/tasks/")  # a page sets the CSRF cookie, as a browser would have it
    csrf = strict.cookies["csrftoken"].value
    response = strict.post(f"/api/v1/tasks/{ids['task']}/cancel", headers={"X-CSRFToken": csrf})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "canceled"
