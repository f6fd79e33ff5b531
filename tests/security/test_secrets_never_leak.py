"""The API token and the Kling passwords never appear in a page, a log line, an upstream answer
we keep, or anywhere in the database: a whole flow against the sandbox, everything captured.

The flow (jobs run inline, the sandbox answers over real HTTP on the live server, callbacks on):
an admin adds a connection with a known token (and one whose subscription lapsed), adds a Kling
account with a known password (and one whose session then breaks), an operator uploads a clip
that is tracked to success, applies the motion to an image, refreshes the library and deletes
the motion; then every page is read by every role. Every response body, every log record at
DEBUG (ours, Django's, django-q2's, urllib3's), every answer the sandbox gave, and every row of
every table (django-q2's pickled task arguments and results and the sessions decoded) is searched
for the token, the secret part of the token, and the passwords.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import requests
from django.contrib import admin as django_admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from motionhub.accounts.models import AccountChange, Connection, KlingAccount
from motionhub.library.models import Motion, Origin
from motionhub.sandbox import state as sandbox
from motionhub.sandbox.models import Callback
from motionhub.tasks import track
from motionhub.tasks.models import MotionTask, State
from tests.clips import make_clip, make_image

from . import dbdump
from .test_every_url import walk

TOKEN = "user:90210-Zq8LeakProbeTokenX7"
LAPSED_TOKEN = "user:402-Zq8LapsedProbeTokenY9"  # the sandbox answers 402 to every call
PASSWORD = "Kl1ng-LeakProbe-Pa55"
BROKEN_PASSWORD = "Kl1ng-BrokenProbe-Pa66"
SECRETS = {
    "token": TOKEN,
    "token's secret part": TOKEN.split("-", 1)[1],
    "lapsed token": LAPSED_TOKEN,
    "lapsed token's secret part": LAPSED_TOKEN.split("-", 1)[1],
    "Kling password": PASSWORD,
    "second Kling password": BROKEN_PASSWORD,
}
LOGGERS = ["", "motionhub", "django", "django.request", "django_q", "urllib3", "requests"]


class Recorder:
    def __init__(self) -> None:
        self.bodies: list[tuple[str, str]] = []

    def client(self, user=None) -> Client:
        recorder = self

        class RecordingClient(Client):
            def request(self, **request):
                response = super().request(**request)
                if response.streaming:
                    content = b"".join(response.streaming_content)
                    response.streaming_content = [content]
                else:
                    content = response.content
                where = f"{request.get('REQUEST_METHOD')} {request.get('PATH_INFO')}"
                recorder.bodies.append((where, content.decode("utf-8", "replace")))
                recorder.bodies.append((where + " headers", repr(response.headers)))
                return response

        client = RecordingClient()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def upstream_answers(monkeypatch):
    """Every answer the sandbox (our upstream) gave, as the client received it."""
    answers: list[tuple[str, str]] = []
    send = requests.Session.send

    def recording_send(self, request, **kwargs):
        response = send(self, request, **kwargs)
        answers.append((f"{request.method} {request.url}", response.text))
        answers.append((f"{request.method} {request.url} headers", repr(response.headers)))
        return response

    monkeypatch.setattr(requests.Session, "send", recording_send)
    return answers


def _poll_until_final(task: MotionTask) -> MotionTask:
    """Let the sandbox finish, then track the task as the heartbeat would (inline)."""
    for _ in range(5):
        sandbox.fast_forward(3600)
        MotionTask.objects.filter(pk=task.pk).update(
            next_poll_at=timezone.now() - timedelta(seconds=1)
        )
        track.poll_due()
        task.refresh_from_db()
        if task.state in (State.SUCCEEDED, State.FAILED):
            return task
    raise AssertionError(f"task {task.pk} stayed {task.state}")


def _find(secrets: dict[str, str], haystacks: list[tuple[str, str]]) -> list[str]:
    found = []
    for where, text in haystacks:
        for name, secret in secrets.items():
            if secret in text:
                at = text.index(secret)
                found.append(f"{name} in {where}: …{text[max(0, at - 80) : at + 80]}…")
    return found


@pytest.mark.slow
def test_no_secret_in_any_page_log_upstream_answer_or_table(
    sandbox_url,
    live_server,
    sync_jobs,
    settings,
    caplog,
    tmp_path,
    alice,
    bob,
    charlie,
    upstream_answers,
):
    settings.MOTIONHUB_PUBLIC_URL = live_server.url  # callbacks too
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    rec = Recorder()
    admin, operator = rec.client(alice), rec.client(bob)

    # An admin adds the connections and the accounts through the pages.
    admin.post(
        "/accounts/connections/new/", {"name": "Sandbox", "base_url": sandbox_url, "token": TOKEN}
    )
    admin.post(
        "/accounts/connections/new/",
        {"name": "Lapsed", "base_url": sandbox_url, "token": LAPSED_TOKEN},
    )
    conn = Connection.objects.get(name="Sandbox")
    assert conn.token == TOKEN
    admin.post(
        f"/accounts/connections/{conn.pk}/accounts/new/",
        {"email": "studio@sandbox.test", "password": PASSWORD, "max_jobs": 3},
    )
    admin.post(
        f"/accounts/connections/{conn.pk}/accounts/new/",
        {"email": "x+broken@sandbox.test", "password": BROKEN_PASSWORD, "max_jobs": 1},
    )
    assert set(AccountChange.objects.values_list("state", flat=True)) <= {"done", "failed"}
    account = KlingAccount.active.get(email="studio@sandbox.test")
    admin.get(f"/accounts/{account.pk}/edit/")
    admin.post(
        f"/accounts/{account.pk}/edit/",
        {"label": "Studio", "enabled": "on", "max_jobs": 4, "password": PASSWORD},
    )
    admin.post(f"/accounts/connections/{conn.pk}/sync/")
    admin.post(f"/accounts/connections/{Connection.objects.get(name='Lapsed').pk}/sync/")

    # An operator uploads a clip; it is submitted inline and tracked to success.
    clip = make_clip(tmp_path / "wave.mp4", 3)
    video = SimpleUploadedFile("wave.mp4", clip.read_bytes(), content_type="video/mp4")
    answer = operator.post(
        "/motions/upload/", {"name": "Wave", "account": str(account.pk), "video": video}
    )
    assert answer.status_code == 302, answer.content
    upload = _poll_until_final(MotionTask.objects.get(kind="motion_upload"))
    assert upload.state == State.SUCCEEDED, upload.error_message

    # The success refreshed the library: apply the new motion to an image.
    motion = Motion.objects.get(account=account, kind=Origin.MINE)
    image = make_image(tmp_path / "person.jpg", 480, 640)
    operator.post(
        f"/motions/{motion.pk}/apply/",
        {
            "name": "Wave video",
            "mode": "std",
            "duration": "5",
            "image": SimpleUploadedFile(
                "person.jpg", image.read_bytes(), content_type="image/jpeg"
            ),
        },
    )
    created = _poll_until_final(MotionTask.objects.get(kind="motion_create"))
    assert created.state == State.SUCCEEDED, created.error_message

    operator.post("/motions/refresh/", {"account": account.pk})
    operator.get(f"/motions/delete/?motion={motion.pk}")
    operator.post("/motions/delete/", {"motion": motion.pk})
    assert not Motion.objects.filter(pk=motion.pk).exists()

    # Every page with no parameters and the pages of every object, by each role; the admin's
    # pages (rows of every registered model) as the admin; htmx partials as well.
    urls = ["/" + r for r, _ in walk() if "<" not in r and "(" not in r and "^" not in r]
    urls = [u for u in urls if "logout" not in u and not u.startswith(("/sandbox/", "/admin/"))]
    for task in MotionTask.objects.all():
        urls += [f"/tasks/{task.pk}/", f"/tasks/{task.pk}/status/"]
    urls += [f"/accounts/connections/{c.pk}/edit/" for c in Connection.objects.all()]
    urls += [f"/accounts/{a.pk}/edit/" for a in KlingAccount.objects.all()]
    urls += [f"/motions/{m.pk}/apply/" for m in Motion.objects.all()[:3]]
    admin_urls = ["/admin/"]
    for model in django_admin.site._registry:
        meta = model._meta
        admin_urls.append(f"/admin/{meta.app_label}/{meta.model_name}/")
        for row in model._default_manager.order_by("-pk")[:2]:
            admin_urls.append(f"/admin/{meta.app_label}/{meta.model_name}/{row.pk}/change/")
    for user in (alice, bob, charlie):
        client = rec.client(user)
        for url in urls + (admin_urls if user is alice else []):
            client.get(url)
    for url in urls:
        admin.get(url, headers={"HX-Request": "true"})

    # The error paths ran too: a lapsed subscription, a broken session, delivered callbacks.
    assert "subscription" in Connection.objects.get(name="Lapsed").last_error
    assert "session" in KlingAccount.objects.get(email="x+broken@sandbox.test").last_error
    assert Callback.objects.filter(http_status=202).exists()

    pages = rec.bodies
    logs = [("log output", caplog.text)]
    logs += [(f"log record {r.name}", repr(r.__dict__)) for r in caplog.records]
    assert len(pages) > 200 and len(upstream_answers) > 20 and len(caplog.records) > 20
    assert _find(SECRETS, pages) == []
    assert _find(SECRETS, logs) == []
    assert _find(SECRETS, upstream_answers) == []
    database = dbdump.everything_as_text()
    assert "motion_control_motion_process" in database  # the dump does read the sandbox's rows
    assert _find(SECRETS, [("the database", database)]) == []
