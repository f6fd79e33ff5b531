"""A day in MotionHub, in a real browser: what a person sees, step by step.

Against the live server, a real worker cluster (`manage.py qcluster`) and the sandbox: an admin
signs in through the form, adds a Kling account and watches the change finish, uploads a clip
with a visible progress bar, watches the task page update itself to `succeeded` (no reload),
finds the motion in the library, applies it to an image and plays the result video, deletes the
motion, and finds all of it in the history, the CSV export and the audit log. Then a viewer
signs in and finds no control that submits or deletes anything. On every page visited, not one
Content-Security-Policy violation and not one script error may be reported.

Screenshots of each step: test-artifacts/e2e/*.png.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django_q.models import Schedule

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.library.models import Motion, Origin
from motionhub.sandbox import state as sandbox
from motionhub.tasks.models import MotionTask, State
from tests.clips import make_clip, make_image

from .conftest import WORKER_LOG, wait_for

TOKEN = "user:4711-e2eBrowserToken"
PASSWORD = "e2e-Kling-Pa55word"
EMAIL = "studio@sandbox.test"
TASK_STATES = "() => window.__states"
# Record every state the task page shows (the status card is replaced by each poll).
WATCH_STATES = """() => {
  window.__states = [document.querySelector('#task-status [data-state]').dataset.state];
  new MutationObserver(() => {
    const badge = document.querySelector('#task-status [data-state]');
    const state = badge && badge.dataset.state;
    if (state && window.__states[window.__states.length - 1] !== state) {
      window.__states.push(state);
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true});
  window.__landed = true;
}"""
PROGRESS_SHOWN = """() => {
  const box = document.querySelector('.upload-progress');
  return box && !box.hidden && box.querySelector('progress').value > 0;
}"""


def expect(locator, **kwargs):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator, **kwargs)


def throttle_uploads(context, page, bytes_per_second: int | None):
    """Slow the browser's uploads down (Chrome DevTools network emulation), or stop doing so."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second or -1,
        },
    )


def sign_in(page, username: str, password: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".who")).to_contain_text(username)


def nav(page, name: str) -> None:
    page.locator("header nav a", has_text=name).click()
    page.wait_for_load_state()


@pytest.mark.e2e
@pytest.mark.slow
def test_a_day_in_motionhub(
    sandbox_url, live_server, worker, new_context, shot, settings, alice, charlie, tmp_path
):
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 3
    settings.MOTIONHUB_POLL_SECONDS = 0.5
    # No periodic account sync or library refresh half-way through (a refresh reloads the
    # library page when it ends): the steps below start every job they need themselves.
    Schedule.objects.all().delete()
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    sandbox.seed_account(TOKEN, "seeded@sandbox.test", max_jobs=2)
    KlingAccount.objects.create(connection=conn, email="seeded@sandbox.test", max_jobs=2)
    clip = make_clip(tmp_path / "wave.mp4", 3, size="1280x720")
    person = make_image(tmp_path / "person.jpg", 512, 768)

    context, watch = new_context()
    page = context.new_page()

    # 1. Sign in through the form.
    page.goto("/login/")
    shot(page, "sign-in")
    sign_in(page, "alice", "pw-alice")
    shot(page, "home")

    # 2. Add a Kling account; the page polls its changes until useapi (the sandbox) is done.
    nav(page, "Accounts")
    page.locator(f"#connection-{conn.pk}").get_by_role("link", name="Add Kling account").click()
    page.fill("#id_email", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_max_jobs", "3")
    page.fill("#id_label", "Studio")
    shot(page, "add-account")
    page.get_by_role("button", name="Add account").click()
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    page.evaluate("() => { window.__landed = true; }")
    change = page.locator("#changes tr", has_text=EMAIL)
    expect(change.locator(".badge")).to_have_class(re.compile(r"\bdone\b"), timeout=30_000)
    assert page.evaluate("() => window.__landed") is True  # updated in place, no reload
    shot(page, "account-added")
    page.reload()
    expect(page.locator("table.accounts")).to_contain_text("Studio")
    account = KlingAccount.active.get(email=EMAIL)

    # 3. Upload a clip: the progress bar shows (uploads slowed down so it can be seen).
    nav(page, "Upload")
    page.fill("#id_name", "Wave e2e")
    page.select_option("#id_account", str(account.pk))
    page.set_input_files("#id_video", str(clip))
    throttle_uploads(context, page, 48 * 1024)
    page.get_by_role("button", name="Upload motion").click()
    page.wait_for_function(PROGRESS_SHOWN, timeout=10_000)
    shot(page, "upload-progress")
    progress = page.evaluate("() => document.querySelector('.upload-progress progress').value")
    assert 0 < progress <= 100
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    throttle_uploads(context, page, None)
    upload = MotionTask.objects.get(kind="motion_upload")
    assert page.url.endswith(f"/tasks/{upload.pk}/")

    # 4. The task page follows the task to `succeeded` by itself: same page, no navigation.
    page.evaluate(WATCH_STATES)
    navigations = len(watch.visited)
    first_state = page.evaluate(TASK_STATES)[0]
    shot(page, "task-started")
    expect(page.locator('#task-status [data-state="succeeded"]')).to_be_visible(timeout=60_000)
    states = page.evaluate(TASK_STATES)
    assert first_state != State.SUCCEEDED, "the task was final before the page could follow it"
    assert states[-1] == State.SUCCEEDED and len(states) >= 2, states
    print("task page states, without a reload:", " → ".join(states))
    assert page.evaluate("() => window.__landed") is True
    assert len(watch.visited) == navigations, watch.visited[navigations:]
    # Only a queued upload can move to another account: the finished task offers no Move.
    expect(page.get_by_role("button", name="Move", exact=True)).to_be_hidden()
    # The kept cover fits its card: the page is no wider than the window.
    expect(page.locator("img.kept-cover")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "task-succeeded")

    # 5. The motion is in the library (refreshed after the upload succeeded).
    nav(page, "Motions")
    card = page.locator(f".motion-card:has(a[href='/tasks/{upload.pk}/'])")
    try:
        expect(card).to_be_visible(timeout=15_000)
    except AssertionError:
        page.get_by_role("button", name=re.compile("^Refresh")).click()
        expect(card).to_be_visible(timeout=30_000)
    shot(page, "library")
    motion = Motion.objects.get(kind=Origin.MINE, source_task=upload)

    # 6. Apply it to an image, and watch the result play.
    card.get_by_role("link", name="Apply to an image…").click()
    expect(page).to_have_url(re.compile(rf"/motions/{motion.pk}/apply/$"))
    page.fill("#id_name", "Wave on a person")
    page.set_input_files("#id_image", str(person))
    shot(page, "apply")
    page.get_by_role("button", name="Create the video").click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    created = MotionTask.objects.get(kind="motion_create")
    expect(page.locator('#task-status [data-state="succeeded"]')).to_be_visible(timeout=60_000)
    video = page.locator("video.result-video")
    expect(video).to_be_visible()
    played = video.evaluate("v => { v.muted = true; return v.play().then(() => 'ok', String); }")
    assert played == "ok", f"the result video does not play: {played}"
    page.wait_for_function(
        "() => document.querySelector('video.result-video').currentTime > 0.3", timeout=15_000
    )
    assert video.evaluate("v => v.readyState") >= 2
    assert video.evaluate("v => v.videoWidth") > 0  # decoded frames, not just a timer
    video.evaluate("v => v.pause()")
    shot(page, "result-video")

    # 7. Delete the motion: a confirmation page, then the card goes away.
    nav(page, "Motions")
    card.get_by_role("link", name="Delete…").click()
    expect(page.locator("h1")).to_have_text("Delete 1 motion?")
    # The name the person gave it on the upload form, as the card shows it.
    expect(page.locator(".delete-list")).to_contain_text(motion.shown_name)
    shot(page, "delete-confirm")
    page.get_by_role("button", name="Delete permanently").click()
    expect(page).to_have_url(re.compile(r"/motions/"))
    expect(card).to_have_count(0, timeout=30_000)
    shot(page, "deleted")
    wait_for(lambda: not Motion.objects.filter(pk=motion.pk).exists(), 10, "the motion's row")

    # 8. All of it in the history and its CSV export.
    nav(page, "Tasks")
    expect(page.locator(f"#task-{upload.pk}")).to_contain_text("Wave e2e")
    expect(page.locator(f"#task-{created.pk}")).to_contain_text("Wave on a person")
    shot(page, "history")
    export = context.request.get("/tasks/export.csv")  # with the page's cookies
    assert export.ok and export.headers["content-type"].startswith("text/csv")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(export.text()))}
    assert rows[str(upload.pk)]["name"] == "Wave e2e"
    assert rows[str(created.pk)]["name"] == "Wave on a person"
    assert {rows[str(t.pk)]["state"] for t in (upload, created)} == {"succeeded"}
    assert rows[str(upload.pk)]["submitted_by"] == "alice"

    # 9. ... and in the audit log.
    nav(page, "Audit")
    log = page.locator("table.audit")
    for action in (
        "Signed in",
        "Added a Kling account",
        "Uploaded a custom motion",
        "Applied a motion to an image",
        "Deleted a motion",
    ):
        expect(log).to_contain_text(action)
    shot(page, "audit")

    # 10. The Django admin (people and roles) works under the same policy.
    nav(page, "Admin")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"/admin/auth/user/{charlie.pk}/change/")
    expect(page.locator("#id_groups_from, #id_groups")).to_have_count(1)
    shot(page, "admin")
    watch.assert_clean()
    assert len(set(watch.visited)) >= 14

    # Neither the token nor the password was ever on screen, nor in the worker's log so far.
    secrets = {"token": TOKEN, "token's secret": TOKEN.split("-", 1)[1], "password": PASSWORD}
    seen = {"worker log": WORKER_LOG.read_text(), **shot.html}
    leaks = [f"{s} on {where}" for where, text in seen.items() for s, v in secrets.items()
             if v in text]  # fmt: skip
    assert leaks == []

    # 11. A viewer sees everything and can change nothing.
    viewer_context, viewer_watch = new_context()
    viewer = viewer_context.new_page()
    sign_in(viewer, "charlie", "pw-charlie")
    menu = viewer.locator("header nav")
    expect(menu.get_by_role("link", name="Motions")).to_be_visible()
    expect(menu.get_by_role("link", name="Upload")).to_have_count(0)
    shot(viewer, "viewer-home")
    nav(viewer, "Motions")
    viewer.get_by_role("link", name=re.compile("Official motions")).click()
    expect(viewer.locator(".motion-card").first).to_be_visible()
    expect(viewer.get_by_role("link", name="Apply to an image…")).to_have_count(0)
    expect(viewer.get_by_role("link", name="Delete…")).to_have_count(0)
    expect(viewer.get_by_role("button", name=re.compile("Refresh|Delete"))).to_have_count(0)
    shot(viewer, "viewer-library")
    nav(viewer, "Accounts")
    expect(viewer.get_by_role("link", name="Add Kling account")).to_have_count(0)
    expect(viewer.get_by_role("button", name="Sync")).to_have_count(0)
    viewer.goto(f"/tasks/{upload.pk}/")
    expect(viewer.locator('#task-status [data-state="succeeded"]')).to_be_visible()
    expect(viewer.get_by_role("button", name="Cancel")).to_have_count(0)
    refused = viewer.goto("/motions/upload/")
    assert refused.status == 403
    expect(viewer.locator("h1")).to_have_text("Not allowed")
    shot(viewer, "viewer-refused")
    assert viewer.goto(f"/motions/{motion.pk}/apply/").status in (403, 404)
    viewer_watch.assert_clean()
