"""Idempotency-Key: one piece of work per (person, key), enforced by the database, whatever
backend the suite runs on (SQLite by default; PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from motionhub.tokens import idempotency
from motionhub.tokens.models import ApiToken, IdempotencyKey

FP = idempotency.fingerprint("POST", "/useapi/v1/kling/videos/motion-create", b'{"a": 1}')


def _work(owner, made: list):
    def make():
        token = ApiToken.objects.create(owner=owner, name="work", prefix="p", secret_sha256=str(
            len(made)) + "x" * 40)  # fmt: skip
        made.append(token.pk)
        return 201, {"id": token.pk}

    return make


def test_same_key_same_request_answers_the_first_answer(bob):
    made: list = []
    first = idempotency.once(bob, "k1", FP, _work(bob, made))
    again = idempotency.once(bob, "k1", FP, _work(bob, made))
    assert (first.status, first.body, first.replayed) == (201, {"id": made[0]}, False)
    assert (again.status, again.body, again.replayed) == (201, {"id": made[0]}, True)
    assert len(made) == 1 and ApiToken.objects.count() == 1


def test_same_key_other_request_is_refused(bob):
    idempotency.once(bob, "k1", FP, _work(bob, []))
    other = idempotency.fingerprint("POST", "/useapi/v1/kling/videos/motion-create", b"{}")
    with pytest.raises(idempotency.KeyReused):
        idempotency.once(bob, "k1", other, _work(bob, []))


def test_keys_are_per_person(bob, alice):
    made: list = []
    idempotency.once(bob, "k1", FP, _work(bob, made))
    idempotency.once(alice, "k1", FP, _work(alice, made))
    assert len(made) == 2


def test_a_failure_keeps_nothing_so_a_retry_runs_afresh(bob):
    made: list = []

    def broken():
        _work(bob, made)()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        idempotency.once(bob, "k1", FP, broken)
    assert ApiToken.objects.count() == 0 and not IdempotencyKey.objects.exists()

    def server_error():
        _work(bob, made)()
        return 503, {"error": "later"}

    assert idempotency.once(bob, "k1", FP, server_error).status == 503
    assert ApiToken.objects.count() == 0 and not IdempotencyKey.objects.exists()
    assert idempotency.once(bob, "k1", FP, _work(bob, made)).replayed is False


def test_a_refusal_is_kept_and_answered_again(bob):
    assert idempotency.once(bob, "k1", FP, lambda: (400, {"error": "bad"})).status == 400
    again = idempotency.once(bob, "k1", FP, _work(bob, []))
    assert (again.status, again.body, again.replayed) == (400, {"error": "bad"}, True)


def test_keys_are_kept_24_hours(bob):
    made: list = []
    idempotency.once(bob, "k1", FP, _work(bob, made))
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    assert idempotency.once(bob, "k1", FP, _work(bob, made)).replayed is False
    assert len(made) == 2 and IdempotencyKey.objects.count() == 1


def test_a_streamed_fingerprint_is_the_same_fingerprint():
    hasher = idempotency.fingerprint_hasher("post", "/useapi/v1/kling/videos/motion-create")
    for chunk in (b'{"a"', b": 1}"):
        hasher.update(chunk)
    assert hasher.hexdigest() == FP


def test_unusable_keys(bob):
    for key in ("", "x" * 256):
        with pytest.raises(idempotency.BadKey):
            idempotency.once(bob, key, FP, _work(bob, []))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_do_the_work_once(django_user_model):
    """The first request holds its transaction open while it works; the second one's insert of
    the key collides with it in the database (PostgreSQL: it waits on the unique index; SQLite:
    writers queue), and it answers the first one's stored answer."""
    owner = django_user_model.objects.create_user("eve", password="pw")
    made: list = []
    answers: list = []
    errors: list = []
    start = threading.Barrier(2)

    def slow_work():
        status, body = _work(owner, made)()
        time.sleep(0.5)  # still inside the transaction: the other request arrives meanwhile
        return status, body

    def request():
        try:
            start.wait()
            answers.append(idempotency.once(owner, "same", FP, slow_work))
        except Exception as exc:  # reported below, with the thread's failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(made) == 1 and ApiToken.objects.count() == 1
    assert sorted(a.replayed for a in answers) == [False, True]
    assert answers[0].body == answers[1].body == {"id": made[0]}
