"""The task page and its polled status fragment."""

from __future__ import annotations

import pytest
from django.test import Client

from motionhub.tasks.models import MotionTask, State, TaskEvent

HX = {"HX-Request": "true"}


@pytest.fixture
def task(upload, account):
    return upload(account, name="Wave <script>alert(1)</script>")


def test_the_page_shows_what_was_submitted_and_the_timeline(viewer_client, task):
    page = viewer_client.get(f"/tasks/{task.pk}/").content.decode()

    assert "Wave &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert task.video.url in page and task.cover.url in page
    assert "a frame of the video" in page
    assert "bob" in page  # who
    assert 'data-state="queued"' in page
    assert f'hx-get="/tasks/{task.pk}/status/"' in page
    assert "Submitted by bob." in page


def test_the_fragment_polls_while_the_task_is_live(viewer_client, task):
    response = viewer_client.get(f"/tasks/{task.pk}/status/", headers=HX)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "<html" not in body


@pytest.mark.parametrize(
    "state", [State.SUCCEEDED, State.FAILED, State.REJECTED, State.CANCELED, "needs_attention"]
)
def test_the_fragment_stops_polling_once_the_task_is_settled(viewer_client, task, state):
    MotionTask.objects.filter(pk=task.pk).update(state=state)

    response = viewer_client.get(f"/tasks/{task.pk}/status/", headers=HX)

    assert response.status_code == 286
    assert "hx-trigger" not in response.content.decode()
    assert f'data-state="{state}"' in response.content.decode()


def test_the_fragment_reads_at_most_three_queries_and_never_calls_upstream(
    viewer_client, task, django_assert_max_num_queries
):
    for n in range(20):
        TaskEvent.objects.create(task=task, source="poll", detail=f"reading {n}")
    viewer_client.get(f"/tasks/{task.pk}/")  # a page visit remembers the role in the session

    with django_assert_max_num_queries(3):
        response = viewer_client.get(f"/tasks/{task.pk}/status/", headers=HX)

    assert "reading 19" in response.content.decode()


def test_an_expired_session_gets_403_from_the_fragment(task):
    response = Client().get(f"/tasks/{task.pk}/status/", headers=HX)

    assert response.status_code == 403


def test_the_fragment_of_an_unknown_task_is_404(viewer_client, db):
    assert viewer_client.get("/tasks/999999/status/", headers=HX).status_code == 404


def test_errors_show_their_explanation_and_what_to_do(viewer_client, task):
    MotionTask.objects.filter(pk=task.pk).update(
        state=State.REJECTED,
        error_category="moderation",
        error_message="The content you uploaded appears to violate the community guidelines.",
    )

    page = viewer_client.get(f"/tasks/{task.pk}/").content.decode()

    assert "Moderation:" in page
    assert "retrying the same input will fail again" in page


def test_viewers_see_no_actions(viewer_client, task):
    MotionTask.objects.filter(pk=task.pk).update(state=State.FAILED)

    page = viewer_client.get(f"/tasks/{task.pk}/").content.decode()

    assert f"/tasks/{task.pk}/retry/" not in page
    assert viewer_client.post(f"/tasks/{task.pk}/retry/").status_code == 403
    assert viewer_client.post(f"/tasks/{task.pk}/cancel/").status_code == 403


def test_retry_asks_first_and_says_it_may_spend_credits(operator_client, task):
    MotionTask.objects.filter(pk=task.pk).update(state=State.FAILED)

    page = operator_client.get(f"/tasks/{task.pk}/retry/").content.decode()

    assert "may spend Kling credits" in page
    assert MotionTask.objects.count() == 1


def test_retry_creates_a_new_linked_task_with_the_same_inputs(
    operator_client, task, django_capture_on_commit_callbacks
):
    MotionTask.objects.filter(pk=task.pk).update(
        state=State.REJECTED, upstream_task_id=77, error_category="moderation"
    )

    with django_capture_on_commit_callbacks() as jobs:
        response = operator_client.post(f"/tasks/{task.pk}/retry/")

    new = MotionTask.objects.exclude(pk=task.pk).get()
    assert response["Location"] == f"/tasks/{new.pk}/"
    assert (new.state, new.retry_of_id, new.upstream_task_id) == (State.QUEUED, task.pk, None)
    assert new.video.name == task.video.name and new.name == task.name
    assert new.reply_nonce != task.reply_nonce
    assert len(jobs) == 1
    assert f"/tasks/{new.pk}/" in operator_client.get(f"/tasks/{task.pk}/").content.decode()


def test_a_live_task_cannot_be_retried(operator_client, task):
    operator_client.post(f"/tasks/{task.pk}/retry/")

    assert MotionTask.objects.count() == 1


def test_cancel_works_only_while_queued(operator_client, task):
    MotionTask.objects.filter(pk=task.pk).update(state=State.SUBMITTED)
    operator_client.post(f"/tasks/{task.pk}/cancel/")
    task.refresh_from_db()
    assert task.state == State.SUBMITTED

    MotionTask.objects.filter(pk=task.pk).update(state=State.QUEUED)
    operator_client.post(f"/tasks/{task.pk}/cancel/")
    task.refresh_from_db()
    assert task.state == State.CANCELED
    assert TaskEvent.objects.filter(task=task, to_state="canceled", source="person").exists()


def test_uploaded_media_is_served_only_to_signed_in_people(viewer_client, task):
    assert viewer_client.get(task.video.url).status_code == 200
    assert Client().get(task.video.url).status_code == 302


def test_uploads_retries_and_cancels_are_in_the_audit_log(operator_client, task):
    from motionhub.audit.models import AuditEntry

    MotionTask.objects.filter(pk=task.pk).update(state=State.FAILED)
    operator_client.post(f"/tasks/{task.pk}/retry/")
    new = MotionTask.objects.exclude(pk=task.pk).get()
    operator_client.post(f"/tasks/{new.pk}/cancel/")

    entries = AuditEntry.objects.filter(actor_name="bob").order_by("at", "id")
    actions = [(e.action, e.outcome, e.target_id) for e in entries if e.action != "auth.login"]
    assert actions == [
        ("motion.upload", "requested", str(task.pk)),
        ("task.retry", "requested", str(task.pk)),
        ("task.cancel", "ok", str(new.pk)),
    ]


def test_the_actions_follow_the_state_in_the_polled_fragment(
    operator_client, task, django_assert_max_num_queries
):
    operator_client.get(f"/tasks/{task.pk}/")  # a page visit remembers the role
    url = f"/tasks/{task.pk}/status/"

    with django_assert_max_num_queries(3):
        queued = operator_client.get(url, headers=HX).content.decode()
    MotionTask.objects.filter(pk=task.pk).update(state=State.SUBMITTED)
    submitted = operator_client.get(url, headers=HX).content.decode()
    MotionTask.objects.filter(pk=task.pk).update(state=State.FAILED)
    failed = operator_client.get(url, headers=HX).content.decode()

    assert f"/tasks/{task.pk}/cancel/" in queued
    assert f"/tasks/{task.pk}/cancel/" not in submitted
    assert f"/tasks/{task.pk}/retry/" in failed


def test_a_kept_fragment_still_shows_every_change(viewer_client, task):
    """The fragment of a task in flight is kept by what it shows: polls in a row answer the
    same, and the next event, state or upstream reading shows at once."""
    MotionTask.objects.filter(pk=task.pk).update(state=State.PROCESSING)
    url = f"/tasks/{task.pk}/status/"
    first, again = (viewer_client.get(url, headers=HX).content.decode() for _ in range(2))
    TaskEvent.objects.create(task=task, source="poll", detail="progress 40%")
    with_event = viewer_client.get(url, headers=HX).content.decode()
    MotionTask.objects.filter(pk=task.pk).update(upstream_status="rendering", upstream_task_id=7)
    with_status = viewer_client.get(url, headers=HX).content.decode()

    assert first == again and 'data-state="processing"' in first
    assert "progress 40%" in with_event and "progress 40%" not in first
    assert "7 · rendering" in with_status and "7 · rendering" not in with_event


def test_the_kept_fragment_follows_the_role_of_whoever_polls(viewer_client, operator_client, task):
    MotionTask.objects.filter(pk=task.pk).update(state=State.PROCESSING)
    url = f"/tasks/{task.pk}/status/"
    for client in (viewer_client, operator_client):
        client.get(f"/tasks/{task.pk}/")  # a page visit remembers the role

    as_viewer = viewer_client.get(url, headers=HX).content.decode()
    as_operator = operator_client.get(url, headers=HX).content.decode()
    as_viewer_again = viewer_client.get(url, headers=HX).content.decode()

    assert "task-actions" in as_operator
    assert "task-actions" not in as_viewer and as_viewer_again == as_viewer


def test_an_operators_cancel_form_carries_their_own_csrf_token(task, alice, bob):
    """A queued task's fragment holds the Cancel form and the poller's CSRF token: it is never
    one kept from somebody else's poll."""
    url = f"/tasks/{task.pk}/status/"
    clients = []
    for person in (alice, bob):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        client.get(f"/tasks/{task.pk}/")
        clients.append(client)
    for client in clients:
        client.get(url, headers=HX)
    body = clients[1].get(url, headers=HX).content.decode()
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = clients[1].post(f"/tasks/{task.pk}/cancel/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert MotionTask.objects.get(pk=task.pk).state == State.CANCELED
