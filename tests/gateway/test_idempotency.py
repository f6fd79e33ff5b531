"""Idempotency-Key on the gateway's POSTs: one task per key, whoever retries and however fast.
The concurrent test runs on whichever database the suite runs on (PostgreSQL with
DATABASE_URL): the unique (person, key) constraint is what stops the second task."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.db.models.signals import pre_save

from motionhub.gateway.models import Asset
from motionhub.tasks.models import MotionTask
from motionhub.tokens.auth import create_token

from .conftest import Api


def _body(image_url: str, video: dict, **extra) -> dict:
    return {"imageUrl": image_url, "motionUrl": video["resourceUrl"], **extra}


def test_the_same_key_and_body_answer_the_first_task_again(operator_api, image_url, video_asset):
    first = operator_api.post("videos/motion-create", _body(image_url, video_asset), key="k-1")
    again = operator_api.post("videos/motion-create", _body(image_url, video_asset), key="k-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["task"]["id"] == again.json()["task"]["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert MotionTask.objects.count() == 1


def test_the_same_key_with_another_body_is_422(operator_api, image_url, video_asset):
    operator_api.post("videos/motion-create", _body(image_url, video_asset), key="k-1")
    other = operator_api.post("videos/motion-create", _body(image_url, video_asset, prompt="x"),
                              key="k-1")  # fmt: skip
    assert other.status_code == 422 and other.json()["code"] == 422
    assert MotionTask.objects.count() == 1


def test_without_a_key_every_post_is_a_new_task(operator_api, image_url, video_asset):
    for _ in range(2):
        operator_api.post("videos/motion-create", _body(image_url, video_asset))
    assert MotionTask.objects.count() == 2


def test_keys_are_each_persons_own(operator_api, admin_api, image_url, video_asset):
    operator_api.post("videos/motion-create", _body(image_url, video_asset), key="k-1")
    admin_api.post("videos/motion-create", _body(image_url, video_asset), key="k-1")
    assert MotionTask.objects.count() == 2


def test_an_asset_upload_with_a_key_is_kept_once(operator_api, jpeg):
    first = operator_api.upload("image/jpeg", jpeg, key="asset-1")
    again = operator_api.upload("image/jpeg", jpeg, key="asset-1")
    assert first.json() == again.json() and Asset.objects.count() == 1
    other = operator_api.upload("image/jpeg", jpeg + b"\x00", key="asset-1")
    assert other.status_code == 422


def test_a_refusal_is_answered_again_and_a_bad_key_is_400(operator_api):
    first = operator_api.post("videos/motion-create", {}, key="k-2")
    again = operator_api.post("videos/motion-create", {}, key="k-2")
    assert first.status_code == again.status_code == 400
    assert first.json() == again.json()
    assert operator_api.post("videos/motion-create", {}, key="x" * 256).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_one_key_make_one_task(django_user_model, jpeg, clip):
    from django.contrib.auth.models import Group

    person = django_user_model.objects.create_user("olga", password="x")
    person.groups.add(Group.objects.get_or_create(name="operator")[0])
    api = Api(create_token(person, "script")[1])
    image_url = api.upload("image/jpeg", jpeg).json()["url"]
    video = api.upload("video/mp4", clip(3).read_bytes()).json()
    body = _body(image_url, video)

    def slow_save(sender, instance, **kwargs):
        time.sleep(0.4)  # the first request is still working when the second one arrives

    pre_save.connect(slow_save, sender=MotionTask, dispatch_uid="slow-save")
    answers, errors = [], []
    start = threading.Barrier(2)

    def post():
        try:
            start.wait()
            answers.append(Api(api.token).post("videos/motion-create", body, key="same"))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        pre_save.disconnect(dispatch_uid="slow-save", sender=MotionTask)
    assert not errors, errors
    assert [a.status_code for a in answers] == [200, 200], [a.content for a in answers]
    assert answers[0].json()["task"]["id"] == answers[1].json()["task"]["id"]
    assert MotionTask.objects.count() == 1


def test_motion_upload_honours_the_key_too(operator_api, video_asset):
    body = {"resourceUrl": video_asset["resourceUrl"], "coverUrl": video_asset["coverUrl"]}
    first = operator_api.post("videos/motion-upload", body, key="up-1")
    again = operator_api.post("videos/motion-upload", body, key="up-1")
    assert first.json()["task"]["id"] == again.json()["task"]["id"]
    assert MotionTask.objects.count() == 1
