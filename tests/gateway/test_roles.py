"""Every gateway endpoint for every role (core/roles.py): 401 without a live token, 403 for a
person without the role the page action needs, the answer otherwise."""

from __future__ import annotations

import pytest

from motionhub.audit.models import AuditEntry
from motionhub.tasks.models import MotionTask
from motionhub.tokens.models import ApiToken

from .conftest import Api

READS = [
    "accounts",
    "accounts/studio@kling.test",
    "scheduler/available",
    "videos/motions",
    "videos/motions?mine=true",
]
WRITES = [
    ("post", "assets"),
    ("post", "videos/motion-upload"),
    ("post", "videos/motion-create"),
    ("delete", "tasks/1"),
]
EVERY = [("get", path) for path in [*READS, "tasks/1", "assets/download?workIds=1"]] + WRITES


def _send(api: Api, method: str, path: str):
    if method == "get":
        path, _, query = path.partition("?")
        params = dict(part.split("=") for part in query.split("&")) if query else {}
        return api.get(path, **params)
    if method == "delete":
        return api.delete(path)
    if path == "assets":
        return api.upload("image/jpeg", b"\xff\xd8 not really")
    return api.post(path, {})


@pytest.mark.parametrize(("method", "path"), EVERY)
@pytest.mark.parametrize("token", [None, "", "mhk_wrong", "user:1001-useapiToken"])
def test_no_live_token_is_401_in_useapis_shape(db, account, method, path, token):
    answer = _send(Api(token), method, path)
    assert answer.status_code == 401
    assert answer.json() == {"error": "Unauthorized", "code": 401}


@pytest.mark.parametrize(("method", "path"), EVERY)
def test_a_revoked_token_is_401(operator_api, bob, account, method, path):
    ApiToken.objects.filter(owner=bob).update(revoked_at="2026-01-01T00:00:00Z")
    assert _send(operator_api, method, path).status_code == 401


@pytest.mark.parametrize(("method", "path"), EVERY)
def test_someone_without_a_role_gets_403(roleless_api, account, method, path):
    answer = _send(roleless_api, method, path)
    assert answer.status_code == 403
    assert answer.json()["code"] == 403


@pytest.mark.parametrize("role", ["viewer_api", "operator_api", "admin_api"])
@pytest.mark.parametrize("path", READS)
def test_every_role_reads(request, account, role, path):
    answer = _send(request.getfixturevalue(role), "get", path)
    assert answer.status_code == 200, answer.content


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_viewer_token_only_reads(viewer_api, account, method, path):
    answer = _send(viewer_api, method, path)
    assert answer.status_code == 403
    assert answer.json() == {"error": "This needs the operator role in MotionHub.", "code": 403}
    assert not MotionTask.objects.exists()


@pytest.mark.parametrize("role", ["operator_api", "admin_api"])
def test_operators_and_admins_write(request, account, role, jpeg, mp4):
    api = request.getfixturevalue(role)
    image = api.upload("image/jpeg", jpeg)
    video = api.upload("video/mp4", mp4)
    assert image.status_code == video.status_code == 200
    made = api.post("videos/motion-create", {"imageUrl": image.json()["url"],
                                             "motionUrl": video.json()["resourceUrl"]})  # fmt: skip
    assert made.status_code == 200, made.content
    upload = api.post("videos/motion-upload", {"resourceUrl": video.json()["resourceUrl"],
                                               "coverUrl": video.json()["coverUrl"]})  # fmt: skip
    assert upload.status_code == 200, upload.content
    # Nothing in the library came from this upload yet: nothing to delete.
    assert api.delete(f"tasks/{upload.json()['task']['id']}").status_code == 404
    assert MotionTask.objects.count() == 2
    entries = AuditEntry.objects.filter(action__in=["asset.upload", "motion.create",
                                                    "motion.upload"])  # fmt: skip
    assert entries.count() == 4 and all(e.via_api for e in entries)
