"""The custom-motion upload form: validation from the file itself, and accepting good uploads."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motionhub.tasks.models import MotionTask, State, TaskEvent
from tests.clips import make_image

URL = reverse("upload")


@pytest.fixture
def no_network():
    """Nothing may go upstream while a person fills in the form."""
    with responses.RequestsMock() as mock:
        yield mock
    assert not mock.calls


def _file(path: Path, name: str | None = None, content_type: str = "video/mp4"):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


def _post(client, video, *, cover=None, account="auto", name="Wave", **headers):
    data = {"name": name, "account": account, "video": video}
    if cover is not None:
        data["cover"] = cover
    return client.post(URL, data, headers=headers)


def _stored_files(media_root: Path) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()] if media_root.exists() else []


def _assert_refused(response, field: str, *words: str, media_root: Path) -> None:
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    for word in words:
        assert word in errors, errors
    assert errors in response.content.decode()  # shown next to the field
    assert not MotionTask.objects.exists()
    assert _stored_files(media_root) == []


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1.9, ["1.9 s", "2 to 10 seconds"]), (10.1, ["10.1 s", "2 to 10"]), (12, ["12.0 s"])],
)
def test_it_refuses_a_video_outside_two_to_ten_seconds(
    operator_client, account, clip, no_network, media_root, seconds, words
):
    response = _post(operator_client, _file(clip(seconds)))

    _assert_refused(response, "video", *words, media_root=media_root)


def test_it_refuses_an_audio_only_file(operator_client, account, clip, no_network, media_root):
    response = _post(operator_client, _file(clip(3, video=False, audio=True)))

    _assert_refused(response, "video", "audio only", media_root=media_root)


def test_it_refuses_a_matroska_file_renamed_mp4(
    operator_client, account, clip, no_network, media_root
):
    response = _post(operator_client, _file(clip(3, fmt="mkv"), name="dance.mp4"))

    _assert_refused(response, "video", "mkv", media_root=media_root)


def test_it_refuses_a_truncated_video(
    operator_client, account, clip, no_network, media_root, tmp_path
):
    data = clip(3).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])

    response = _post(operator_client, _file(cut))

    _assert_refused(response, "video", "not a readable video", media_root=media_root)


def test_it_refuses_an_empty_file(operator_client, account, no_network, media_root):
    response = _post(operator_client, SimpleUploadedFile("empty.mp4", b"", "video/mp4"))

    assert response.status_code == 400
    assert response.context["form"].errors["video"]
    assert not MotionTask.objects.exists()


def test_it_refuses_an_image_renamed_mp4(
    operator_client, account, no_network, media_root, tmp_path
):
    image = make_image(tmp_path / "photo.jpg", 400, 400)

    response = _post(operator_client, _file(image, name="photo.mp4"))

    _assert_refused(response, "video", "image", media_root=media_root)


def test_it_refuses_a_video_over_100_mb(
    operator_client, account, clip, no_network, media_root, tmp_path
):
    big = tmp_path / "big.mp4"
    shutil.copyfile(clip(3), big)
    with big.open("r+b") as fh:
        fh.truncate(101 * 1024 * 1024)

    with big.open("rb") as fh:
        response = operator_client.post(URL, {"name": "Big", "account": "auto", "video": fh})

    _assert_refused(response, "video", "101 MB", "100 MB", media_root=media_root)


def test_it_refuses_a_cover_smaller_than_300_px(
    operator_client, account, clip, no_network, media_root, tmp_path
):
    small = make_image(tmp_path / "small.jpg", 299, 500)

    response = _post(operator_client, _file(clip(3)), cover=_file(small, content_type="image/jpeg"))

    _assert_refused(response, "cover", "300", media_root=media_root)


def test_it_refuses_an_account_that_is_not_offered(
    operator_client, account, clip, no_network, media_root
):
    account.enabled = False
    account.save()

    response = _post(operator_client, _file(clip(3)), account=str(account.pk))

    _assert_refused(response, "account", "Select a valid choice", media_root=media_root)


def test_it_accepts_a_clip_stores_it_under_a_generated_name_and_queues_the_task(
    operator_client, bob, account, clip, media_root, django_capture_on_commit_callbacks
):
    video = _file(clip(3), name="../../etc/passwd.mp4")
    with django_capture_on_commit_callbacks() as jobs:
        response = _post(operator_client, video, account=str(account.pk))

    task = MotionTask.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{task.pk}/"
    assert (task.state, task.account, task.submitted_by, task.name) == (
        State.QUEUED,
        account,
        bob,
        "Wave",
    )
    assert task.inputs["duration_s"] == pytest.approx(3.0, abs=0.05)
    assert task.inputs["video_name"] == "passwd.mp4"
    stored = Path(task.video.path)
    assert stored.is_relative_to(media_root) and "passwd" not in stored.name
    assert stored.read_bytes() == clip(3).read_bytes()
    assert task.cover_from_video and Path(task.cover.path).exists()
    event = TaskEvent.objects.get(task=task)
    assert (event.to_state, event.source) == (State.QUEUED, "person")
    assert len(jobs) == 1  # the dispatcher is enqueued once the task is committed


def test_it_keeps_the_cover_the_person_chose(operator_client, account, clip, tmp_path):
    cover = make_image(tmp_path / "cover.png", 640, 360, fmt="PNG")

    _post(operator_client, _file(clip(3)), cover=_file(cover, content_type="image/png"))

    task = MotionTask.objects.get()
    assert not task.cover_from_video
    assert task.cover.name.endswith(".png")
    assert task.inputs["cover_content_type"] == "image/png"
    assert Path(task.cover.path).read_bytes() == cover.read_bytes()


def test_with_htmx_it_redirects_the_browser_to_the_task_page(operator_client, account, clip):
    response = _post(operator_client, _file(clip(3)), HX_Request="true")

    task = MotionTask.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/tasks/{task.pk}/"


def test_with_htmx_a_refusal_re_renders_only_the_form(operator_client, account, clip):
    response = _post(operator_client, _file(clip(1.9)), HX_Request="true")

    body = response.content.decode()
    assert response.status_code == 400
    assert body.lstrip().startswith("<form") and "<html" not in body
    assert "2 to 10 seconds" in body


def test_the_form_shows_a_progress_bar_while_the_file_transfers(operator_client, account):
    page = operator_client.get(URL).content.decode()

    assert "<progress" in page
    assert "js/upload.js" in page
    assert 'hx-encoding="multipart/form-data"' in page


def test_viewers_cannot_upload(viewer_client, account, clip):
    assert viewer_client.get(URL).status_code == 403
    assert _post(viewer_client, _file(clip(3))).status_code == 403
    assert not MotionTask.objects.exists()


def test_the_upload_leaves_no_temporary_file_behind(operator_client, account, clip, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # force Django to spool to a temp file
    before = set(os.listdir(settings.FILE_UPLOAD_TEMP_DIR or "/tmp"))

    _post(operator_client, _file(clip(3)))

    after = set(os.listdir(settings.FILE_UPLOAD_TEMP_DIR or "/tmp"))
    assert MotionTask.objects.count() == 1
    assert not {name for name in after - before if name.endswith(".upload")}
