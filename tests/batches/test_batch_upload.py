"""Several clips in one upload: each checked from the file, the good ones one batch, the bad
ones named with their reason, nothing of them stored or sent."""

from __future__ import annotations

from django.urls import reverse

from motionhub.audit.models import AuditEntry
from motionhub.tasks.models import Batch, MotionTask, State
from tests.batches.conftest import stored_files, video
from tests.clips import make_image

URL = reverse("upload")


def test_a_five_clip_upload_with_one_bad_file_makes_a_batch_of_four_and_names_the_bad_one(
    operator_client, account, clip, no_network, media_root
):
    clips = [video(clip(2 + i), name=f"take-{i}.mp4") for i in range(4)]
    clips.insert(2, video(clip(12), name="too-long.mp4"))

    response = operator_client.post(URL, {"name": "Dance", "account": "auto", "video": clips})

    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    tasks = list(batch.tasks.order_by("id"))
    assert [t.name for t in tasks] == [f"Dance · take-{i}.mp4" for i in range(4)]
    assert {t.state for t in tasks} == {State.QUEUED}
    assert all(t.cover_from_video and t.video and t.cover for t in tasks)
    assert batch.refused == [{"name": "too-long.mp4", "reason": batch.refused[0]["reason"]}]
    assert "12.0 s" in batch.refused[0]["reason"]
    assert len(stored_files(media_root)) == 8  # four videos, four covers: nothing of the bad one
    page = operator_client.get(batch.get_absolute_url()).content.decode()
    assert "too-long.mp4" in page and "12.0 s" in page
    assert all(f'id="task-{t.pk}"' in page for t in tasks)
    entry = AuditEntry.objects.get(action="motion.upload")
    assert entry.target_id == str(batch.pk) and "4 clips (1 refused)" in entry.detail


def test_clips_without_a_name_are_named_by_their_file_and_share_one_cover(
    operator_client, account, clip, no_network, media_root, tmp_path
):
    cover = make_image(tmp_path / "cover.png", 400, 400, fmt="PNG")
    data = {"name": "", "account": str(account.pk), "video": [video(clip(3), name="a.mp4"),
            video(clip(4), name="b.mov", content_type="video/quicktime")],
            "cover": video(cover, content_type="image/png")}  # fmt: skip

    response = operator_client.post(URL, data, headers={"HX-Request": "true"})

    batch = Batch.objects.get()
    assert response["HX-Redirect"] == batch.get_absolute_url()
    tasks = list(batch.tasks.order_by("id"))
    assert [t.name for t in tasks] == ["a.mp4", "b.mov"]
    assert all(t.account == account and not t.cover_from_video for t in tasks)
    assert tasks[0].cover.name != tasks[1].cover.name
    assert tasks[0].cover.read() == tasks[1].cover.read() == cover.read_bytes()


def test_when_every_clip_is_refused_there_is_no_batch_and_the_form_names_each_one(
    operator_client, account, clip, no_network, media_root
):
    clips = [video(clip(1.5), name="short.mp4"), video(clip(12), name="long.mp4")]

    response = operator_client.post(URL, {"name": "Dance", "account": "auto", "video": clips})

    assert response.status_code == 400
    errors = response.context["form"].errors["video"]
    assert any(e.startswith("short.mp4: ") for e in errors)
    assert any(e.startswith("long.mp4: ") for e in errors)
    assert "short.mp4:" in response.content.decode()
    assert not Batch.objects.exists() and not MotionTask.objects.exists()
    assert stored_files(media_root) == []


def test_a_run_over_the_batch_limit_is_refused_with_a_clear_message_and_nothing_stored(
    operator_client, account, clip, no_network, media_root, settings
):
    settings.MOTIONHUB_BATCH_MAX_TASKS = 3
    clips = [video(clip(3), name=f"{i}.mp4") for i in range(4)]

    response = operator_client.post(URL, {"name": "Dance", "account": "auto", "video": clips})

    assert response.status_code == 400
    assert "At most 3 clips per upload; you sent 4." in response.content.decode()
    assert not Batch.objects.exists() and not MotionTask.objects.exists()
    assert stored_files(media_root) == []


def test_one_clip_still_lands_on_its_task_page_without_a_batch(
    operator_client, account, clip, no_network
):
    response = operator_client.post(
        URL, {"name": "Wave", "account": "auto", "video": video(clip(3), name="wave.mp4")}
    )

    task = MotionTask.objects.get()
    assert response["Location"] == task.get_absolute_url()
    assert task.name == "Wave" and task.batch is None
    assert not Batch.objects.exists()


def test_the_form_offers_several_files_and_a_drop_target_and_hides_its_idle_progress_bar(
    operator_client, account, settings
):
    page = operator_client.get(URL).content.decode()

    assert 'name="video"' in page and "multiple" in page.split('name="video"')[1].split(">")[0]
    assert 'data-drop="video"' in page
    assert '<div class="upload-progress" hidden>' in page
    css = (settings.BASE_DIR / "static/css/app.css").read_text()
    assert ".upload-progress[hidden] { display: none; }" in css


def test_a_viewer_cannot_send_a_run(viewer_client, account, clip):
    clips = [video(clip(3), name=f"{i}.mp4") for i in range(2)]

    response = viewer_client.post(URL, {"name": "Dance", "account": "auto", "video": clips})

    assert response.status_code == 403
    assert not Batch.objects.exists()
