"""Idempotency-Key on the API's POSTs: the same key and body answer the first answer again
(the same task id), another body is a 422 problem, and two requests at once make one task —
the database's unique key decides, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from motionhub.tasks.models import MotionTask, State
from motionhub.tokens.models import IdempotencyKey
from tests.api.conftest import Api, assert_problem, token_of, video_file

URL = "/api/v1/motions/upload"


def _upload(api: Api, clip, key: str, name: str = "Wave"):
    data = {"video": video_file(clip(3)), "name": name, "account": "auto"}
    return api.post(URL, data, **{"Idempotency-Key": key})


def test_the_same_key_and_body_answer_the_first_task_again(
    operator_api, clip, no_network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = _upload(operator_api, clip, "k-1")
        again = _upload(operator_api, clip, "k-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["tasks"][0]["id"] == first.json()["tasks"][0]["id"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert MotionTask.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(
    operator_api, clip, no_network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        _upload(operator_api, clip, "k-1")
        other = _upload(operator_api, clip, "k-1", name="Jump")

    body = assert_problem(other, 422, "another request")
    assert body["type"] == "urn:motionhub:problem:idempotency-key-reused"
    assert MotionTask.objects.count() == 1


def test_a_refusal_is_answered_again_and_json_posts_are_keyed_too(operator_api, make_task):
    failed = make_task(state=State.FAILED)
    queued = make_task()
    key = {"Idempotency-Key": "cancel-1"}
    first = operator_api.post(f"/api/v1/tasks/{failed.pk}/cancel", **key)
    assert_problem(first, 409)
    failed.state = State.QUEUED
    failed.save()
    again = operator_api.post(f"/api/v1/tasks/{failed.pk}/cancel", **key)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    # Another path with the same key is another request.
    assert_problem(operator_api.post(f"/api/v1/tasks/{queued.pk}/cancel", **key), 422)


def test_an_unusable_key_is_a_400(operator_api, make_task):
    task = make_task()
    response = operator_api.post(f"/api/v1/tasks/{task.pk}/cancel", **{"Idempotency-Key": " "})
    assert_problem(response, 400, "Idempotency-Key")
    assert MotionTask.objects.get().state == State.QUEUED


def test_keys_are_per_person(api_as, clip, no_network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        _upload(api_as("operator"), clip, "k-1")
        _upload(api_as("admin"), clip, "k-1")
    assert MotionTask.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_with_one_key_make_one_task(clip, sync_jobs, settings):
    # A transactional test flushes the role groups the data migration made: make them again.
    from django.contrib.auth.models import Group, User

    settings.MOTIONHUB_SANDBOX = False
    olga = User.objects.create_user("olga", password="x")
    olga.groups.add(Group.objects.get_or_create(name="operator")[0])
    secret = token_of(olga)
    answers, errors = [], []
    start = threading.Barrier(2)

    def send():
        try:
            api = Api(secret)
            start.wait()
            answers.append(_upload(api, clip, "same-key"))
        except Exception as exc:  # reported below, with the thread's failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors, errors
    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    ids = {a.json()["tasks"][0]["id"] for a in answers}
    assert len(ids) == 1 and MotionTask.objects.count() == 1
    assert sorted(a.has_header("Idempotent-Replayed") for a in answers) == [False, True]
    assert IdempotencyKey.objects.count() == 1
