"""Upstream text is untrusted: script and event-handler payloads in motion names, tags, task
errors and account errors come through the real client, jobs and parsers, and every page and
fragment that shows them renders them inert (escaped), including the HTML built in Python.
(The browser tests add the second line of defence: the Content-Security-Policy.)
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.test import Client
from django.utils import timezone

from motionhub.accounts.models import AccountChange, Connection, KlingAccount
from motionhub.library import jobs as library_jobs
from motionhub.library.models import Motion, Origin
from motionhub.tasks import track
from motionhub.tasks.models import MotionTask, State, TaskEvent

BASE = "https://api.useapi.test/v1/kling"
TASK_ID = 285_412_345_678_901_234


def payload(where: str) -> str:
    """A script tag, an event handler and an attribute break-out, labelled by where it goes."""
    return (
        f'<script>alert("{where}")</script><img src=x onerror=alert("{where}")>'
        f"\" onmouseover=\"alert(1) x='{where}'"
    )


NAME, TAG, TASK_ERROR, ACCOUNT_ERROR, CONNECTION_ERROR, TASK_NAME = (
    payload(w)
    for w in ("name", "tag", "task-error", "account-error", "connection-error", "task-name")
)
RAW_MARKERS = ("<script>alert(", "<img src=x", '" onmouseover="')


@pytest.fixture
def hostile_world(alice, bob, sync_jobs, django_capture_on_commit_callbacks):
    conn = Connection(name="Team", base_url=BASE)
    conn.set_token("user:1-hostileTextToken")
    conn.save()
    account = KlingAccount.objects.create(connection=conn, email="a@example.com", max_jobs=2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as upstream:
        # The library lists a motion of ours and an official one with hostile text.
        def motions(request):
            mine = "mine=true" in request.url
            item = {
                "workName": NAME,
                "workId": 7 if mine else -7,
                "official": not mine,
                "tag": "" if mine else TAG,
                "resource": {"resource": "https://cdn.test/m.mp4"},
                "cover": {"resource": "javascript:alert('cover')"},
            }
            if mine:
                item["taskId"] = TASK_ID
            return 200, {}, json.dumps([item])

        upstream.add_callback(responses.GET, f"{BASE}/videos/motions", callback=motions)
        library_jobs.refresh_account(account.pk)

        # A submitted task that upstream then reports failed, with a hostile error text.
        task = MotionTask.objects.create(
            # A person's text, not upstream's, but shown the same ways: as hostile as it gets.
            name=TASK_NAME,
            account=account,
            submitted_by=bob,
            state=State.SUBMITTED,
            upstream_task_id=TASK_ID,
            next_poll_at=timezone.now() - timedelta(seconds=1),
        )
        TaskEvent.objects.create(task=task, to_state=State.SUBMITTED, source="worker")
        failed = {"id": TASK_ID, "status": 50, "status_name": "failed", "status_final": True}
        upstream.get(
            f"{BASE}/tasks/{TASK_ID}",
            json={"task": failed, **failed, "error": TASK_ERROR, "works": []},
        )
        track.poll_due()

        # Adding an account fails with a hostile error; so does syncing the connection.
        upstream.post(f"{BASE}/accounts", status=400, json={"error": ACCOUNT_ERROR})
        upstream.get(f"{BASE}/accounts", status=401, json={"error": CONNECTION_ERROR})
        admin = Client()
        admin.force_login(alice)
        with django_capture_on_commit_callbacks(execute=True):
            admin.post(
                f"/accounts/connections/{conn.pk}/accounts/new/",
                {"email": "b@example.com", "password": "whatever-pw", "max_jobs": 1},
            )
            admin.post(f"/accounts/connections/{conn.pk}/sync/")
            # A deletion request records the motion's name in the audit log.
            motion = Motion.objects.get(kind=Origin.MINE)
            admin.post("/motions/delete/", {"motion": motion.pk})
    task.refresh_from_db()
    assert task.state == State.FAILED and "task-error" in task.error_message
    assert Motion.objects.filter(name=NAME).count() == 2
    assert AccountChange.objects.filter(message__contains="account-error").exists()
    Connection.objects.filter(pk=conn.pk).update(last_error=CONNECTION_ERROR)  # as a sync leaves it
    KlingAccount.objects.filter(pk=account.pk).update(last_error=ACCOUNT_ERROR)
    return {"task": task, "motion": motion, "official": Motion.objects.get(kind=Origin.OFFICIAL)}


def _pages(world) -> dict[str, tuple[str, list[str]]]:
    """Each page or fragment, and the hostile texts it must show (escaped)."""
    task, motion, official = world["task"], world["motion"], world["official"]
    return {
        "/": ("page", ["task-error", "account-error", "task-name"]),
        "/accounts/": ("page", ["account-error", "connection-error"]),
        "/accounts/changes/": ("fragment", ["account-error"]),
        "/motions/": ("page", ["name"]),
        "/motions/?tab=official": ("page", ["name", "tag"]),
        f"/motions/{official.pk}/apply/": ("page", ["name"]),
        f"/motions/delete/?motion={motion.pk}": ("page", ["name"]),
        "/tasks/": ("page", ["task-name"]),  # rows: format_html_join (history/rows.py)
        "/tasks/?q=alert": ("page", ["task-name"]),
        f"/tasks/{task.pk}/": ("page", ["task-error", "task-name"]),
        f"/tasks/{task.pk}/status/": ("fragment", ["task-error"]),
        f"/tasks/{task.pk}/retry/": ("page", ["task-error"]),
        "/audit/": ("page", ["name"]),
        "/admin/motions/motiontask/": ("page", ["task-name"]),
        f"/admin/motions/motiontask/{task.pk}/change/": ("page", ["task-error"]),
        "/admin/accounts/accountchange/": ("page", []),
    }


def test_hostile_upstream_text_is_escaped_on_every_page_and_fragment(hostile_world, alice):
    client = Client()
    client.force_login(alice)
    problems = []
    for url, (kind, shown) in _pages(hostile_world).items():
        headers = {"HX-Request": "true"} if kind == "fragment" else {}
        response = client.get(url, headers=headers)
        body = response.content.decode()
        if response.status_code not in (200, 286):
            problems.append(f"{url}: status {response.status_code}")
        for marker in RAW_MARKERS:
            if marker in body:
                at = body.index(marker)
                problems.append(f"{url}: raw {marker!r} in …{body[max(0, at - 60) : at + 60]}…")
        for where in shown:
            # The text is there, escaped: &lt;script&gt; and &quot; instead of < and ".
            if f"&lt;script&gt;alert(&quot;{where}&quot;)&lt;/script&gt;" not in body:
                problems.append(f"{url}: the {where} text is not shown escaped")
        if "javascript:" in body:
            problems.append(f"{url}: a javascript: URL reached the page")

    assert not problems, "\n".join(problems)


def test_a_hostile_upstream_url_never_becomes_a_src_or_href(hostile_world):
    for motion in Motion.objects.all():
        assert motion.cover_src == ""  # the javascript: cover was dropped
        assert motion.video_src.startswith("https://")
