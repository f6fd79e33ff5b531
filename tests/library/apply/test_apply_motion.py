"""Applying a library motion to an image: the form, the motion-create call, and the result."""

from __future__ import annotations

import json

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motionhub.library.models import Motion
from motionhub.library.models import Origin as MotionKind
from motionhub.tasks import callbacks, dispatch, track
from motionhub.tasks.models import Kind, MotionTask, State
from tests.clips import make_image
from tests.tasks.conftest import BASE, UPSTREAM_ID, task_json

CREATE_URL = f"{BASE}/videos/motion-create"


@pytest.fixture
def motion_2025(account) -> Motion:
    return Motion.objects.create(
        account=account, kind=MotionKind.OFFICIAL, key="work:-100000000000004", shape="2025",
        name="Circle Glide", work_id=-100000000000004, tag="basic",
        video_url="https://cdn.test/glide.mp4", cover_url="https://cdn.test/glide.jpg",
    )  # fmt: skip


@pytest.fixture
def motion_2026(account) -> Motion:
    return Motion.objects.create(
        account=account, kind=MotionKind.MINE, key="asset:motion_12345", shape="2026",
        name="My dance", asset_id="motion_12345", video_url="https://cdn.test/dance.mp4",
        duration_ms=4000,
    )  # fmt: skip


@pytest.fixture
def image(tmp_path):
    path = make_image(tmp_path / "person.jpg", 480, 640)
    return lambda: SimpleUploadedFile("person.jpg", path.read_bytes(), content_type="image/jpeg")


def _apply(client, motion, image_file, **fields):
    data = {"name": "Glide video", "image": image_file, "mode": "pro", **fields}
    return client.post(f"/motions/{motion.pk}/apply/", data)


def test_the_form_offers_the_options_of_the_motions_api_generation(
    operator_client, motion_2025, motion_2026
):
    old = operator_client.get(f"/motions/{motion_2025.pk}/apply/").content.decode()
    new = operator_client.get(f"/motions/{motion_2026.pk}/apply/").content.decode()

    assert 'name="character_id"' in old and 'name="duration"' in old
    assert 'name="model_name"' not in old
    assert 'name="model_name"' in new and 'name="motion_direction"' in new
    assert 'name="character_id"' not in new


def test_a_2025_motion_is_applied_with_work_id_and_image(
    operator_client, motion_2025, image, upstream, django_capture_on_commit_callbacks
):
    upstream.mock.post(CREATE_URL, json=task_json(type="m2v_motion_control"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _apply(
            operator_client, motion_2025, image(), duration="10", character_id=2,
            prompt="smile", sound_effect="on",
        )  # fmt: skip

    task = MotionTask.objects.get()
    assert response["Location"] == f"/tasks/{task.pk}/"
    assert (task.kind, task.state, task.upstream_task_id) == (
        Kind.MOTION_CREATE,
        State.SUBMITTED,
        UPSTREAM_ID,
    )
    [sent] = upstream.creates("/videos/motion-create")
    assert sent == {
        "email": "a@example.com",
        "workId": -100000000000004,
        "image": "https://cdn.test/i0.jpg",
        "prompt": "smile",
        "mode": "pro",
        "duration": "10",
        "character_id": 2,
        "sound_effect": True,
        # Sent without callbacks too: a lost answer is looked up by it (GET /scheduler).
        "replyRef": callbacks.make_ref(task.pk, task.reply_nonce),
    }
    assert upstream.assets == [("image/jpeg", "a@example.com")]


def test_a_2026_motion_is_applied_with_image_url_and_motion_url(
    operator_client, motion_2026, image, upstream, django_capture_on_commit_callbacks
):
    upstream.mock.post(CREATE_URL, json=task_json())
    with django_capture_on_commit_callbacks(execute=True):
        _apply(
            operator_client, motion_2026, image(), model_name="kling-v2-6",
            motion_direction="image_direction", keep_audio="on",
        )  # fmt: skip

    [sent] = upstream.creates("/videos/motion-create")
    task = MotionTask.objects.get()
    assert sent == {
        "replyRef": callbacks.make_ref(task.pk, task.reply_nonce),
        "email": "a@example.com",
        "imageUrl": "https://cdn.test/i0.jpg",
        "motionUrl": "https://cdn.test/dance.mp4",
        "mode": "pro",
        "model_name": "kling-v2-6",
        "keepAudio": True,
        "motionDirection": "image_direction",
    }


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"prompt": "x" * 2501}, "prompt", "2500"),
        ({"character_id": 11}, "character_id", "10"),
        ({"duration": "7"}, "duration", "valid choice"),
    ],
)
def test_bad_options_are_refused_next_to_their_field(
    operator_client, motion_2025, image, fields, field, words
):
    with responses.RequestsMock():  # nothing may go upstream
        response = _apply(operator_client, motion_2025, image(), **fields)

    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    assert not MotionTask.objects.exists()


def test_a_small_or_wrong_image_is_refused(operator_client, motion_2025, tmp_path):
    small = make_image(tmp_path / "small.png", 200, 800, fmt="PNG")
    gif = make_image(tmp_path / "anim.gif", 400, 400, fmt="GIF")

    for path, words in ((small, "300"), (gif, "jpeg or png")):
        upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="image/png")
        response = _apply(operator_client, motion_2025, upload)
        assert response.status_code == 400
        assert words in " ".join(response.context["form"].errors["image"]).lower()
    assert not MotionTask.objects.exists()


def test_element_ids_need_kling_3(operator_client, motion_2026, image):
    response = _apply(
        operator_client, motion_2026, image(), model_name="kling-v2-6", element_1="u_1"
    )

    assert "Kling 3.0" in " ".join(response.context["form"].errors["element_1"])


def test_viewers_cannot_apply_motions(viewer_client, motion_2025, image):
    assert viewer_client.get(f"/motions/{motion_2025.pk}/apply/").status_code == 403
    assert _apply(viewer_client, motion_2025, image()).status_code == 403


def test_a_made_video_plays_on_the_task_page_with_its_clean_download(
    operator_client, motion_2025, image, upstream, django_capture_on_commit_callbacks
):
    upstream.mock.post(CREATE_URL, json=task_json())
    done = task_json(status_name="succeed", final=True)
    done["works"] = [
        {
            "workId": 555000000000000001,
            "status_name": "succeed",
            "contentType": "video",
            "resource": {"resource": "https://cdn.test/made.mp4", "duration": 5000},
            "cover": {"resource": "https://cdn.test/made.jpg"},
        }
    ]
    upstream.mock.get(f"{BASE}/tasks/{UPSTREAM_ID}", json=done)
    upstream.mock.get(f"{BASE}/assets/download", json={"cdnUrl": "https://cdn.test/clean.mp4"})
    with django_capture_on_commit_callbacks(execute=True):
        _apply(operator_client, motion_2025, image())
    task = MotionTask.objects.get()
    MotionTask.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        track.poll_due()

    task.refresh_from_db()
    assert task.state == State.SUCCEEDED
    download_call = next(c for c in upstream.mock.calls if "/assets/download" in c.request.url)
    assert "workIds=555000000000000001" in download_call.request.url
    assert "fileTypes=MP4" in download_call.request.url
    page = operator_client.get(f"/tasks/{task.pk}/").content.decode()
    assert '<video class="result-video" src="https://cdn.test/made.mp4"' in page
    assert 'poster="https://cdn.test/made.jpg"' in page
    assert 'href="https://cdn.test/clean.mp4"' in page
    fragment = operator_client.get(f"/tasks/{task.pk}/status/", headers={"HX-Request": "true"})
    assert fragment.status_code == 286
    assert "made.mp4" in fragment.content.decode()


def test_a_result_url_that_is_not_a_web_address_is_not_rendered(operator_client, motion_2025):
    task = MotionTask.objects.create(
        kind=Kind.MOTION_CREATE, name="x", account=motion_2025.account, state=State.SUCCEEDED,
        upstream={"result": {"video_url": "javascript:alert(1)"}, "download": {}},
        inputs={"motion": {"name": "m"}, "create_fields": {}},
    )  # fmt: skip

    page = operator_client.get(f"/tasks/{task.pk}/").content.decode()

    assert 'src="javascript' not in page and 'href="javascript' not in page


def test_applying_is_in_the_audit_log(operator_client, motion_2025, image, upstream):
    from motionhub.audit.models import AuditEntry

    _apply(operator_client, motion_2025, image())

    entry = AuditEntry.objects.get(action="motion.create")
    assert entry.actor_name == "bob" and "Circle Glide" in entry.detail
    assert json.dumps(entry.detail)  # plain text
    dispatch.run()  # the queued task still goes through the normal pipeline


def test_library_cards_offer_apply_to_operators_only(
    operator_client, viewer_client, motion_2025, motion_2026
):
    link = f"/motions/{motion_2025.pk}/apply/"

    official = operator_client.get("/motions/?tab=official").content.decode()
    mine = operator_client.get("/motions/?tab=mine").content.decode()

    assert link in official
    assert f"/motions/{motion_2026.pk}/apply/" in mine
    assert link not in viewer_client.get("/motions/?tab=official").content.decode()


def test_a_motion_made_by_our_upload_is_applied_under_the_name_the_person_gave_it(
    operator_client, account, motion_2026, image, upstream, bob, django_capture_on_commit_callbacks
):
    upload = MotionTask.objects.create(
        name="Wave e2e", kind=Kind.MOTION_UPLOAD, account=account, submitted_by=bob,
        state=State.SUCCEEDED,
    )  # fmt: skip
    Motion.objects.filter(pk=motion_2026.pk).update(
        name="Custom motion 2026-12-02", source_task=upload
    )
    upstream.mock.post(CREATE_URL, json=task_json())

    form = operator_client.get(f"/motions/{motion_2026.pk}/apply/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _apply(operator_client, motion_2026, image(), model_name="kling-v2-6")

    assert "Wave e2e" in form
    task = MotionTask.objects.get(kind=Kind.MOTION_CREATE)
    assert task.inputs["motion"]["name"] == "Wave e2e"
    assert task.inputs["motion"]["upstream_name"] == "Custom motion 2026-12-02"
    page = operator_client.get(task.get_absolute_url()).content.decode()
    assert "Wave e2e" in page
