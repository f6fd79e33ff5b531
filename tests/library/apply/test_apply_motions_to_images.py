"""Motions by images in one apply: every image checked before anything is stored, a
confirmation with the count and the accounts before anything is created, then one batch."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motionhub.audit.models import AuditEntry
from motionhub.library import runs
from motionhub.library.models import Motion
from motionhub.library.models import Origin as MotionKind
from motionhub.tasks.models import Batch, Kind, MotionTask, State
from tests.clips import make_image

URL = "/motions/apply/"


@pytest.fixture
def no_network():
    with responses.RequestsMock() as mock:
        yield mock
    assert not mock.calls


def _motion(account, n: int, **fields) -> Motion:
    return Motion.objects.create(
        account=account, kind=MotionKind.MINE, key=f"asset:motion_{n}", shape="2026",
        name=f"Dance {n}", asset_id=f"motion_{n}", video_url=f"https://cdn.test/d{n}.mp4",
        **fields,
    )  # fmt: skip


@pytest.fixture
def motions(account) -> list[Motion]:
    return [_motion(account, 1), _motion(account, 2)]


@pytest.fixture
def images(tmp_path):
    def make(*sizes, names=None) -> list[SimpleUploadedFile]:
        out = []
        for i, (w, h) in enumerate(sizes):
            name = names[i] if names else f"person-{i}.jpg"
            path = make_image(tmp_path / name, w, h)
            out.append(SimpleUploadedFile(name, path.read_bytes(), content_type="image/jpeg"))
        return out

    return make


def _stored(media_root) -> list[Path]:
    root = Path(media_root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _query(motions) -> str:
    return "?" + "&".join(f"motion={m.pk}" for m in motions)


def test_two_motions_by_three_images_confirm_six_tasks_then_make_one_batch_of_six(
    operator_client, motions, images, no_network, media_root
):
    form = operator_client.get(URL + _query(motions))
    confirm = operator_client.post(URL + _query(motions), {
        "name": "", "image": images((400, 600), (512, 512), (640, 480)), "mode": "std",
        "model_name": "kling-v3-0", "motion_direction": "motion_direction",
    })  # fmt: skip

    assert form.status_code == 200 and "Dance 1" in form.content.decode()
    page = confirm.content.decode()
    assert 'data-count="6"' in page and "A" in page
    assert not MotionTask.objects.exists() and not Batch.objects.exists()
    assert len(_stored(media_root)) == 3  # each image stored once, before any task exists

    plan = re.search(r'name="plan" value="([^"]+)"', page).group(1)
    done = operator_client.post(URL, {"plan": plan})
    again = operator_client.post(URL, {"plan": plan})

    batch = Batch.objects.get()
    assert done["Location"] == again["Location"] == batch.get_absolute_url()
    tasks = list(batch.tasks.order_by("id"))
    assert len(tasks) == 6 and {t.kind for t in tasks} == {Kind.MOTION_CREATE}
    assert {t.state for t in tasks} == {State.QUEUED}
    assert {t.name for t in tasks} == {
        f"Dance {m} · person-{i}.jpg" for m in (1, 2) for i in range(3)
    }
    assert {t.inputs["create_fields"]["motionUrl"] for t in tasks} == {
        "https://cdn.test/d1.mp4",
        "https://cdn.test/d2.mp4",
    }
    assert len({t.image.name for t in tasks}) == 3
    assert all(t.image.read() for t in tasks)
    assert batch.kind == Kind.MOTION_CREATE
    assert AuditEntry.objects.filter(action="motion.create").count() == 1


def test_a_refused_image_is_named_with_its_reason_and_never_stored(
    operator_client, motions, images, no_network, media_root
):
    sent = images((400, 600), (200, 200), names=["good.jpg", "tiny.jpg"])

    confirm = operator_client.post(URL + _query(motions), {"image": sent, "mode": "std"})

    page = confirm.content.decode()
    assert 'data-count="2"' in page
    assert "tiny.jpg" in page and "300" in page
    assert len(_stored(media_root)) == 1


def test_when_every_image_is_refused_the_form_names_each_and_nothing_is_stored(
    operator_client, motions, images, no_network, media_root
):
    sent = images((200, 200), (100, 900), names=["a.jpg", "b.jpg"])

    response = operator_client.post(URL + _query(motions), {"image": sent, "mode": "std"})

    assert response.status_code == 400
    errors = response.context["form"].errors["image"]
    assert [e.split(":")[0] for e in errors] == ["a.jpg", "b.jpg"]
    assert _stored(media_root) == []


def test_motions_of_two_api_generations_are_not_mixed(operator_client, account, motions):
    old = Motion.objects.create(
        account=account, kind=MotionKind.OFFICIAL, key="work:-1", shape="2025", name="Glide",
        work_id=-1, video_url="https://cdn.test/g.mp4",
    )  # fmt: skip

    response = operator_client.get(URL + _query([motions[0], old]), follow=True)

    assert "one API generation at a time" in response.content.decode()


def test_a_viewer_cannot_apply_a_run_and_the_library_offers_the_pick(
    viewer_client, operator_client, motions
):
    assert viewer_client.get(URL + _query(motions)).status_code == 403
    assert viewer_client.post(URL, {"plan": "x"}).status_code == 403
    library = operator_client.get("/motions/?tab=mine").content.decode()
    assert 'form="apply-run"' in library and 'id="apply-run"' in library


def test_a_forged_or_stale_confirmation_creates_nothing(operator_client, motions):
    response = operator_client.post(URL, {"plan": "forged"}, follow=True)

    assert "expired" in response.content.decode()
    assert not Batch.objects.exists()


def test_staged_images_never_confirmed_are_swept_but_those_of_a_confirmed_run_stay(
    operator_client, motions, images, no_network, media_root
):
    def stage() -> str:
        data = {"image": images((400, 600)), "mode": "std"}
        page = operator_client.post(URL + _query(motions), data).content.decode()
        return re.search(r'name="plan" value="([^"]+)"', page).group(1)

    confirmed, abandoned = stage(), stage()
    operator_client.post(URL, {"plan": confirmed})
    assert len(_stored(media_root)) == 2

    swept = runs.sweep_staging(now=timezone.now() + timedelta(hours=3))

    assert swept == 1
    (kept,) = _stored(media_root)
    assert {t.image.name for t in MotionTask.objects.all()} == {str(kept.relative_to(media_root))}
    assert abandoned != confirmed
