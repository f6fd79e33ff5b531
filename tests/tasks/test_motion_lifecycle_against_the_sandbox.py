"""A motion's whole life against the sandbox over real HTTP, in both API generations:
upload → succeeded → in the library after one sync → applied to an image → a video that the
task page plays → deleted. Jobs run inline (sync mode); the network is real.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.library.models import Motion
from motionhub.library.models import Origin as MotionKind
from motionhub.sandbox import state
from motionhub.tasks import track
from motionhub.tasks.models import Kind, MotionTask, State
from tests.clips import make_image

TOKEN = "user:4711-lifecycleToken"
EMAIL = "life@sandbox.test"


@pytest.fixture
def operator(transactional_db):
    # A transactional test flushes the role groups the data migration made: make them again.
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("olga", password="x")
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def account(sandbox_url, transactional_db, sync_jobs, settings) -> KlingAccount:
    settings.MOTIONHUB_POLL_SECONDS = 0
    state.seed_account(TOKEN, EMAIL, max_jobs=3)
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    return KlingAccount.objects.create(connection=conn, email=EMAIL, label="Life")


def _finish_tracking() -> None:
    state.fast_forward(3600, token=TOKEN)
    track.poll_due()


@pytest.mark.parametrize("shape", ["2025", "2026"])
def test_a_motion_is_uploaded_listed_applied_and_deleted(
    shape, account, operator, clip, tmp_path, django_capture_on_commit_callbacks
):
    state.configure(shape=shape)
    video = SimpleUploadedFile("wave.mp4", clip(3).read_bytes(), content_type="video/mp4")

    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            "/motions/upload/", {"name": "Wave", "account": str(account.pk), "video": video}
        )
        upload = MotionTask.objects.get(kind=Kind.MOTION_UPLOAD)
        assert upload.state == State.SUBMITTED, upload.error_message
        _finish_tracking()  # succeeded → the library of the account is refreshed

    upload.refresh_from_db()
    assert upload.state == State.SUCCEEDED
    mine = Motion.objects.get(account=account, kind=MotionKind.MINE)
    assert mine.source_task_id == upload.pk  # "uploaded by … · task #…" on the card
    library = operator.get(f"/motions/?account={account.pk}&tab=mine").content.decode()
    assert f"/tasks/{upload.pk}/" in library

    image = make_image(tmp_path / "person.jpg", 480, 640)
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            f"/motions/{mine.pk}/apply/",
            {
                "name": "Wave video",
                "mode": "std",
                "image": SimpleUploadedFile("p.jpg", image.read_bytes(), "image/jpeg"),
            },
        )
        made = MotionTask.objects.get(kind=Kind.MOTION_CREATE)
        assert made.state == State.SUBMITTED, made.error_message
        _finish_tracking()

    made.refresh_from_db()
    assert made.state == State.SUCCEEDED
    sent = state.create_calls(TOKEN)[-1]["body"]
    if shape == "2025":
        assert sent["workId"] == mine.work_id and sent["image"]
    else:
        assert sent["motionUrl"] == mine.video_url and sent["imageUrl"]
    result = made.result
    assert result["video_url"].startswith("http")
    page = operator.get(f"/tasks/{made.pk}/").content.decode()
    # The page plays the copy MotionHub kept (motionhub/archive), not upstream's link.
    kept = made.archive.video
    assert kept is not None, made.archive.reason
    assert f'src="{kept.url}"' in page
    assert result["clean_url"] or result["clean_error"]

    if shape == "2025":
        with django_capture_on_commit_callbacks(execute=True):
            operator.post("/motions/delete/", {"motion": [mine.pk]})
        assert not Motion.objects.filter(pk=mine.pk).exists()
        assert state.create_calls(TOKEN)  # the record of what was created stays
    else:
        # The 2026 API offers no way to delete a motion: the card says so instead.
        assert "offers no way to delete" in library
