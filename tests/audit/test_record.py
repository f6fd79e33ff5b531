"""audit.record(): what an entry holds, where the address comes from, and what it never holds."""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.test import RequestFactory

from motionhub import audit
from motionhub.accounts.models import KlingAccount
from motionhub.audit.models import AuditEntry


def _request(method: str = "get", user=None, data=None, **meta):
    request = getattr(RequestFactory(), method)("/somewhere/", data or {}, **meta)
    if user is not None:
        request.user = user
    return request


def test_it_records_who_did_what_to_which_target_on_which_account(alice, kling_account):
    entry = audit.record(
        _request(user=alice),
        audit.Action.ACCOUNT_REMOVE,
        target=kling_account,
        account=kling_account,
        outcome=audit.Outcome.REQUESTED,
        detail="because",
    )

    entry.refresh_from_db()
    assert entry.actor == alice and entry.actor_name == "alice"
    assert entry.action == "account.remove"
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "accounts.klingaccount",
        str(kling_account.pk),
        "One",
    )
    assert entry.account == kling_account
    assert entry.account_label == "One <one@example.com>"
    assert (entry.outcome, entry.detail, entry.ip) == ("requested", "because", "127.0.0.1")


def test_explicit_target_fields_win_over_the_instance(alice, kling_account):
    entry = audit.record(None, audit.Action.MOTION_DELETE, target=kling_account, target_id="9" * 19)

    assert entry.target_id == "9999999999999999999"  # upstream ids are large: text, not floats
    assert entry.target_type == "accounts.klingaccount"


def test_an_explicit_actor_wins_over_the_signed_in_person(alice, bob):
    entry = audit.record(_request(user=alice), audit.Action.TASK_RETRY, actor=bob)

    assert (entry.actor, entry.actor_name) == (bob, "bob")


def test_it_works_without_a_request_or_a_person(db):
    entry = audit.record(None, audit.Action.ROLE_CHANGE, detail="by a script")

    assert entry.actor is None and entry.actor_name == "" and entry.ip is None


def test_it_ignores_x_forwarded_for_unless_told_to_trust_it(db, settings):
    request = _request(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert audit.record(request, audit.Action.LOGIN).ip == "10.0.0.5"

    settings.MOTIONHUB_TRUST_X_FORWARDED_FOR = True
    # The last address is the one our proxy appended; earlier ones are whatever the client sent.
    request = _request(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert audit.record(request, audit.Action.LOGIN).ip == "203.0.113.7"


def test_a_trusted_but_garbled_forwarded_header_falls_back_to_the_connecting_address(db, settings):
    settings.MOTIONHUB_TRUST_X_FORWARDED_FOR = True
    request = _request(REMOTE_ADDR="2001:db8::1", HTTP_X_FORWARDED_FOR="not an address")

    assert audit.record(request, audit.Action.LOGIN).ip == "2001:db8::1"


def test_an_invalid_remote_address_is_stored_as_unknown(db):
    assert audit.record(_request(REMOTE_ADDR="nonsense"), audit.Action.LOGIN).ip is None


def test_over_long_or_multi_line_text_is_trimmed_instead_of_failing(db):
    entry = audit.record(
        None,
        audit.Action.MOTION_UPLOAD,
        target_label="x" * 1000,
        detail="first line\nsecond line " + "y" * 1000,
        actor_name="z" * 500,
    )

    entry.refresh_from_db()
    assert len(entry.target_label) == 200 and entry.target_label.endswith("…")
    assert len(entry.detail) == 500 and "\n" not in entry.detail
    assert len(entry.actor_name) == 150


def test_a_target_whose_name_cannot_be_read_still_leaves_an_entry(db):
    class Broken:
        pk = 7

        class _meta:  # mimics a model's options
            label_lower = "motions.motion"

        def __str__(self):
            raise RuntimeError("boom")

    entry = audit.record(None, audit.Action.MOTION_DELETE, target=Broken())

    assert (entry.target_type, entry.target_id, entry.target_label) == ("motions.motion", "7", "")


def test_an_unknown_action_is_kept_and_reported_in_the_log(db, caplog):
    with caplog.at_level(logging.WARNING, logger="motionhub.audit.log"):
        entry = audit.record(None, "motion.teleport")

    assert entry.action == "motion.teleport"
    assert "not a known key" in caplog.text


def test_an_unknown_outcome_is_stored_as_failed(db):
    assert audit.record(None, audit.Action.TASK_CANCEL, outcome="maybe").outcome == "failed"


def test_a_submitted_secret_quoted_by_mistake_is_masked(alice):
    request = _request(
        "post", user=alice, data={"token": "user:1-verysecret", "password": "hunter2hunter2"}
    )

    entry = audit.record(
        request,
        audit.Action.CONNECTION_UPDATE,
        target_label="user:1-verysecret",
        detail="token user:1-verysecret, password hunter2hunter2",
    )

    entry.refresh_from_db()
    assert "verysecret" not in entry.target_label + entry.detail
    assert "hunter2" not in entry.detail
    assert entry.detail == "token ••••, password ••••"


def test_it_returns_the_saved_entry(db):
    entry = audit.record(None, audit.Action.LOGOUT)

    assert AuditEntry.objects.get() == entry


def test_the_target_type_reads_as_words_where_it_names_a_model(kling_account):
    by_model = audit.record(None, audit.Action.ACCOUNT_REMOVE, target=kling_account)
    by_name = audit.record(None, audit.Action.MOTION_DELETE, target_type="upstream.task")

    assert by_model.target_kind == "kling account"
    assert by_name.target_kind == "upstream.task"


def test_an_unsaved_account_or_person_is_named_but_not_linked(connection):
    entry = audit.record(
        None,
        audit.Action.ACCOUNT_ADD,
        account=KlingAccount(connection=connection, email="new@example.com"),
        actor=User(username="ghost"),
    )

    assert (entry.account, entry.account_label) == (None, "new@example.com")
    assert (entry.actor, entry.actor_name) == (None, "ghost")
