"""Uploaded file names are never trusted: path tricks, absolute paths, NUL bytes and very long
names all end up as generated names under MEDIA_ROOT, and nothing is written anywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.library.models import Motion, Origin
from motionhub.tasks.models import MotionTask
from tests.clips import make_clip, make_image

GENERATED = re.compile(
    r"motions/(videos|covers|images)/\d{4}/\d{2}/[0-9a-f]{32}\.(mp4|mov|jpg|png)"
)

TRICKS = [
    "../../etc/passwd.mp4",
    "../../../../../../../../tmp/escaped.mp4",
    "/etc/passwd.mp4",
    "/tmp/absolute.mp4",
    "..\\..\\windows\\system32\\evil.mp4",
    "C:\\Windows\\evil.mp4",
    "wave\x00.php.mp4",
    "wave.mp4\x00.html",
    "%2e%2e%2f%2e%2e%2fencoded.mp4",
    "…/unicode-dots.mp4",
    ".htaccess.mp4",
    "a" * 600 + ".mp4",
    "<script>alert(1)</script>.mp4",
    "motions/videos/2020/01/" + "0" * 32 + ".mp4",  # a name that looks generated
]


@pytest.fixture
def account(db) -> KlingAccount:
    conn = Connection(name="Team", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:1-uploadNamesToken")
    conn.save()
    return KlingAccount.objects.create(connection=conn, email="a@example.com", max_jobs=2)


@pytest.fixture(scope="module")
def media_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("upload-names")
    return {
        "video": make_clip(folder / "clip.mp4", 3).read_bytes(),
        "image": make_image(folder / "cover.jpg", 400, 400).read_bytes(),
    }


def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", TRICKS, ids=range(len(TRICKS)))
def test_a_tricky_file_name_is_stored_under_a_generated_name_in_media_root(
    operator_client, account, media_root, media_files, tmp_path, name
):
    watched = tmp_path.parent  # this test's folder and its neighbours
    before = _all_files(watched)
    video = SimpleUploadedFile(name, media_files["video"], content_type="video/mp4")
    cover = SimpleUploadedFile(name.replace(".mp4", ".jpg"), media_files["image"], "image/jpeg")

    response = operator_client.post(
        "/motions/upload/",
        {"name": "Wave", "account": str(account.pk), "video": video, "cover": cover},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    task = MotionTask.objects.get()
    for field in (task.video, task.cover):
        assert GENERATED.fullmatch(field.name), field.name
        stored = Path(field.path).resolve()
        assert stored.is_relative_to(Path(media_root).resolve())
    for target in ("/etc/passwd.mp4", "/tmp/absolute.mp4", "/tmp/escaped.mp4", "/tmp/encoded.mp4"):
        assert not Path(target).exists(), target
    created = _all_files(watched) - before
    assert {p.resolve() for p in created} == {
        Path(task.video.path).resolve(),
        Path(task.cover.path).resolve(),
    }
    # The name the person gave is kept for display only: no folders, no NUL, bounded.
    shown = task.inputs["video_name"]
    assert "/" not in shown and "\\" not in shown and "\x00" not in shown
    assert len(shown) <= 200
    page = operator_client.get(f"/tasks/{task.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page


def test_an_image_applied_to_a_motion_gets_a_generated_name_too(
    operator_client, account, media_root, media_files
):
    motion = Motion.objects.create(
        account=account,
        kind=Origin.OFFICIAL,
        key="work:-1",
        shape="2025",
        name="Glide",
        work_id=-1,
        video_url="https://cdn.test/g.mp4",
    )
    image = SimpleUploadedFile("../../../etc/shadow.jpg", media_files["image"], "image/jpeg")

    response = operator_client.post(
        f"/motions/{motion.pk}/apply/",
        {"name": "Glide video", "image": image, "mode": "std", "duration": "5"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    task = MotionTask.objects.get(kind="motion_create")
    assert GENERATED.fullmatch(task.image.name), task.image.name
    assert Path(task.image.path).resolve().is_relative_to(Path(media_root).resolve())
