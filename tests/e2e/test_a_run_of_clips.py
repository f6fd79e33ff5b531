"""A run of clips in a real browser: an operator drops several clips onto the upload form (one
of them too short), lands on the batch page, and watches it fill in by itself, without a
reload, until every task has succeeded; the refused clip is named with its reason. The idle
form shows no progress bar. Then two of the new motions are applied to three images (a
confirmation of 6 tasks, one batch) and all results come down as one zip. No CSP violation,
no script error.

Screenshots: test-artifacts/e2e/batch-*.png.
"""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile

import pytest
from django_q.models import Schedule

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.archive.models import KeptFile
from motionhub.library.models import Motion, Origin
from motionhub.sandbox import state as sandbox
from motionhub.tasks.models import Batch, State
from tests.clips import make_clip, make_image

from .conftest import ARTIFACTS, wait_for
from .test_a_day_in_motionhub import expect, sign_in

TOKEN = "user:4712-e2eBatchToken"
# Drop files onto the form as a person's drag and drop does: a DataTransfer of File objects.
DROP = """([selector, files]) => {
  const transfer = new DataTransfer();
  for (const [name, type, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, {type}));
  }
  const target = document.querySelector(selector);
  target.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true,
                                                  dataTransfer: transfer}));
  target.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true,
                                              dataTransfer: transfer}));
  return document.querySelector("#id_video").files.length;
}"""
# Every distinct "n of m done" the board showed, recorded as polls replace it.
WATCH_BOARD = """() => {
  const label = () => document.querySelector('#batch-board .batch-progress-label').textContent;
  window.__seen = [label()];
  new MutationObserver(() => {
    const now = document.querySelector('#batch-board .batch-progress-label');
    if (now && window.__seen[window.__seen.length - 1] !== now.textContent) {
      window.__seen.push(now.textContent);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
  window.__landed = true;
}"""


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"batch-{name}.png"), full_page=True)


@pytest.mark.e2e
@pytest.mark.slow
def test_dropping_several_clips_makes_a_batch_whose_page_fills_in_without_reloads(
    sandbox_url, live_server, worker, new_context, settings, bob, tmp_path
):
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 3
    Schedule.objects.all().delete()
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    for email in ("one@sandbox.test", "two@sandbox.test"):
        sandbox.seed_account(TOKEN, email, max_jobs=2)
        KlingAccount.objects.create(connection=conn, email=email, max_jobs=2)
    clips = [make_clip(tmp_path / f"take-{i}.mp4", 2 + i) for i in range(3)]
    clips.append(make_clip(tmp_path / "too-short.mp4", 1))
    files = [[p.name, "video/mp4", base64.b64encode(p.read_bytes()).decode()] for p in clips]

    context, watch = new_context()
    page = context.new_page()
    sign_in(page, "bob", "pw-bob")
    page.goto("/motions/upload/")
    hidden = page.evaluate(
        "() => getComputedStyle(document.querySelector('.upload-progress')).display"
    )
    assert hidden == "none", "the idle form shows its progress bar"
    page.fill("#id_name", "Run")
    assert page.evaluate(DROP, ["#upload-form", files]) == 4
    _shot(page, "dropped")
    page.get_by_role("button", name="Upload motion").click()
    page.wait_for_url(re.compile(r"/batches/\d+/$"))

    batch = Batch.objects.get()
    assert page.url.endswith(f"/batches/{batch.pk}/")
    expect(page.locator(".refused-list")).to_contain_text("too-short.mp4")
    page.evaluate(WATCH_BOARD)
    navigations = len(watch.visited)
    _shot(page, "started")
    expect(page.locator("#batch-board .batch-progress-label")).to_have_text(
        "3 of 3 done", timeout=90_000
    )
    _shot(page, "done")
    assert page.evaluate("() => window.__landed") is True  # the same document all along
    assert len(watch.visited) == navigations
    seen = page.evaluate("() => window.__seen")
    print("batch board, without a reload:", " → ".join(seen))
    assert len(seen) >= 2, seen
    assert page.locator('#batch-board tr[data-state="succeeded"]').count() == 3
    assert {t.state for t in batch.tasks.all()} == {State.SUCCEEDED}
    assert page.locator("#batch-board[hx-trigger]").count() == 0  # polling stopped

    # Two of the new motions applied to three images: a confirmation of 6, then one batch.
    wait_for(lambda: Motion.objects.filter(kind=Origin.MINE).count() >= 2, 60,
             "the library to list the run's motions")  # fmt: skip
    page.goto("/motions/?tab=mine")
    picks = page.locator("input[form=apply-run]")
    picks.nth(0).check()
    picks.nth(1).check()
    page.get_by_role("button", name="Apply picked to images…").click()
    expect(page).to_have_url(re.compile(r"/motions/apply/\?"))
    people = [make_image(tmp_path / f"person-{i}.jpg", 480, 640) for i in range(3)]
    page.set_input_files("#id_image", [str(p) for p in people])
    _shot(page, "apply-run")
    page.get_by_role("button", name="Check the images…").click()
    expect(page.locator(".run-count")).to_have_attribute("data-count", "6")
    _shot(page, "apply-run-confirm")
    page.get_by_role("button", name="Create 6 videos").click()
    page.wait_for_url(re.compile(r"/batches/\d+/$"))
    applied = Batch.objects.latest("id")
    assert applied.kind == "motion_create" and applied.tasks.count() == 6
    expect(page.locator("#batch-board .batch-progress-label")).to_have_text(
        "6 of 6 done", timeout=120_000
    )
    assert {t.state for t in applied.tasks.all()} == {State.SUCCEEDED}

    # All results in one download, once the archive job kept them.
    videos = KeptFile.objects.filter(task__batch=applied, kind__in=["clean_video", "video"])
    wait_for(lambda: videos.count() == 6, 60, "the six made videos to be kept")
    _shot(page, "apply-run-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all results (zip)").click()
    archive = zipfile.ZipFile(download.value.path())
    assert archive.testzip() is None
    members = [n for n in archive.namelist() if n.endswith(".mp4")]
    assert len(members) == 6 and len({n.split("/")[0] for n in members}) == 6
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert {r["state"] for r in rows} == {"succeeded"}
    assert {r["task"] for r in rows} == {str(t.pk) for t in applied.tasks.all()}
    watch.assert_clean()
