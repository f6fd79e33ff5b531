"""A kept result in a real browser: a motion of ours (uploaded first) is applied to an image,
the worker cluster makes the video and the archive job keeps it; then the sandbox's own file
is gone (it answers 404), and the task page still plays the kept copy: the <video> source is
the kept file's address, served behind login, and the browser loads and decodes it.

Screenshots: test-artifacts/e2e/kept-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_q.models import Schedule

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.archive.models import FileKind, KeptFile
from motionhub.library import jobs as library_jobs
from motionhub.library.models import Motion, Origin
from motionhub.sandbox import state as sandbox
from motionhub.tasks.models import MotionTask, State
from tests.clips import make_clip, make_image

from .conftest import ARTIFACTS, wait_for
from .test_a_day_in_motionhub import expect, sign_in

TOKEN = "user:4712-e2eKeptToken"
EMAIL = "kept@sandbox.test"
# Load the video afresh (no cached bytes) and report what the browser made of it.
LOADED = """v => new Promise((resolve) => {
  const report = () => resolve({readyState: v.readyState, duration: v.duration,
                                width: v.videoWidth, src: v.currentSrc,
                                error: v.error && v.error.code});
  if (v.readyState >= 2) { report(); return; }
  v.addEventListener("loadeddata", report, {once: true});
  v.addEventListener("error", report, {once: true});
  v.load();
})"""


@pytest.mark.e2e
@pytest.mark.slow
def test_the_task_page_plays_the_kept_copy_after_the_sandbox_forgot_the_file(
    sandbox_url, live_server, worker, new_context, settings, bob, tmp_path, media_root
):
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 3
    Schedule.objects.all().delete()
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    sandbox.seed_account(TOKEN, EMAIL, max_jobs=2)
    account = KlingAccount.objects.create(connection=conn, email=EMAIL, max_jobs=2)
    # A motion of ours (an official one's video is stock the sandbox makes again on demand):
    # uploaded as the setup, not the subject, so through Django's test client; the worker
    # cluster submits and follows it like any other.
    setup = Client()
    setup.force_login(bob)
    clip = make_clip(tmp_path / "wave.mp4", 3)
    upload = SimpleUploadedFile("wave.mp4", clip.read_bytes(), "video/mp4")
    setup.post("/motions/upload/", {"name": "Wave", "account": str(account.pk), "video": upload})
    wait_for(lambda: MotionTask.objects.filter(kind="motion_upload", state=State.SUCCEEDED)
             .exists(), 60, "the upload to succeed")  # fmt: skip
    mine = Motion.objects.filter(account=account, kind=Origin.MINE)

    def listed() -> bool:
        # The worker refreshes the library after a success too; while its run holds the
        # account, this one returns at once, so ask until the motion is listed.
        library_jobs.refresh_account(account.pk)
        return mine.exists()

    wait_for(listed, 30, "the motion to be listed in the library")
    motion = mine.get()
    person = make_image(tmp_path / "person.jpg", 512, 768)

    context, watch = new_context()
    page = context.new_page()
    sign_in(page, "bob", "pw-bob")
    page.goto(f"/motions/{motion.pk}/apply/")
    page.fill("#id_name", "Kept on a person")
    page.set_input_files("#id_image", str(person))
    page.get_by_role("button", name="Create the video").click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    task = MotionTask.objects.get(kind="motion_create")
    expect(page.locator('#task-status [data-state="succeeded"]')).to_be_visible(timeout=60_000)
    kept = wait_for(
        lambda: KeptFile.objects.filter(task=task, kind__in=[FileKind.CLEAN_VIDEO,
                                                              FileKind.VIDEO]).first(),
        60, "the archive job to keep the made video",
    )  # fmt: skip
    assert MotionTask.objects.get(pk=task.pk).state == State.SUCCEEDED

    # Upstream forgets the result: the sandbox's file is deleted and its address answers 404.
    sandbox_file = Path(media_root) / "sandbox" / Path(kept.source_url).name
    assert sandbox_file.is_file(), sandbox_file
    sandbox_file.unlink()
    assert page.request.get(kept.source_url).status == 404

    page.goto(f"/tasks/{task.pk}/")
    video = page.locator("video.result-video")
    expect(video).to_be_visible()
    assert video.get_attribute("src") == kept.url
    assert video.get_attribute("data-archived") == "true"
    loaded = video.evaluate(LOADED)
    assert loaded["error"] is None, f"the kept video does not load: {loaded}"
    assert loaded["src"].endswith(kept.url)
    assert loaded["readyState"] >= 2 and loaded["duration"] > 0 and loaded["width"] > 0, loaded
    played = video.evaluate("v => { v.muted = true; return v.play().then(() => 'ok', String); }")
    assert played == "ok", f"the kept video does not play: {played}"
    page.wait_for_function(
        "() => document.querySelector('video.result-video').currentTime > 0.3", timeout=15_000
    )
    video.evaluate("v => v.pause()")
    expect(page.locator(".archive-state")).to_contain_text("Archived")
    download = page.locator("a.button.primary", has_text="Download the")
    assert download.get_attribute("href") == kept.download_url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kept-result.png"), full_page=True)

    # The history, filtered to archived results, links the same kept copy; home counts it.
    page.goto("/tasks/?archived=yes")
    row = page.locator(f"#task-{task.pk}")
    expect(row.get_by_role("link", name="video")).to_have_attribute("href", kept.url)
    upload = MotionTask.objects.get(kind="motion_upload")
    assert page.locator("#history-results tbody tr").count() == 2  # the upload is archived too
    upload_cover = KeptFile.objects.get(task=upload, kind=FileKind.COVER)
    expect(page.locator(f"#task-{upload.pk}").get_by_role("link", name="cover")).to_have_attribute(
        "href", upload_cover.url
    )
    page.screenshot(path=str(ARTIFACTS / "kept-history.png"), full_page=True)
    page.goto("/")
    expect(page.locator("#storage-space")).to_contain_text("kept results")
    page.locator("#storage-space").screenshot(path=str(ARTIFACTS / "kept-home-storage.png"))
    watch.assert_clean()
