"""Deleting motions: a confirmation that names them, one recorded deletion per motion carried out
by a job (DELETE /tasks/{taskId} with the account's email), the audit trail, and the cards."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from motionhub.audit.models import AuditEntry
from motionhub.library import jobs
from motionhub.library.models import DeletionState, LibrarySync, Motion, MotionDeletion, Origin

from .conftest import HX


@pytest.fixture
def post_delete(operator_client, django_capture_on_commit_callbacks):
    """Confirm a deletion like a person; the job runs inline once the request commits."""

    def post(*motions, client=None, next_url: str = "/motions/"):
        data = {"motion": [m.pk for m in motions], "next": next_url}
        with django_capture_on_commit_callbacks(execute=True):
            return (client or operator_client).post("/motions/delete/", data)

    return post


def test_the_confirmation_names_the_motion_and_says_the_deletion_is_permanent(
    operator_client, account, make_motion, no_upstream
):
    motion = make_motion(account, name="Wave <b>hi</b>")

    response = operator_client.get(f"/motions/delete/?motion={motion.pk}&next=/motions/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Delete 1 motion?" in page
    assert "Wave &lt;b&gt;hi&lt;/b&gt;" in page
    assert f"task {motion.task_id}" in page
    assert "permanent" in page and "cannot be undone" in page
    assert f'<input type="hidden" name="motion" value="{motion.pk}">' in page
    assert not MotionDeletion.objects.exists()
    assert len(no_upstream.calls) == 0


def test_the_confirmation_of_several_names_each_and_leaves_out_what_cannot_be_deleted(
    operator_client, account, make_motion
):
    one = make_motion(account, name="One")
    two = make_motion(account, name="Two")
    official = make_motion(account, Origin.OFFICIAL, name="Glide")
    asset = make_motion(account, name="Asset", key="asset:a", task_id=None, shape="2026")

    page = operator_client.get(
        "/motions/delete/",
        {"motion": [one.pk, two.pk, official.pk, asset.pk]},
    ).content.decode()

    assert "Delete 2 motions?" in page
    hidden = re.findall(r'name="motion" value="(\d+)"', page)
    assert hidden == [str(one.pk), str(two.pk)]
    assert "official motions cannot be deleted." in page
    assert "This API generation offers no way to delete a motion." in page


def test_deleting_one_motion_calls_upstream_with_the_email_and_removes_the_card(
    operator_client, account, make_motion, synced, upstream, post_delete
):
    synced(account, mine_count=2)
    motion = make_motion(account, name="Wave")
    kept = make_motion(account, name="Kept")
    upstream.on_delete(motion.task_id)

    response = post_delete(motion, next_url=f"/motions/?account={account.pk}")

    assert response.status_code == 302
    assert response["Location"] == f"/motions/?account={account.pk}"
    (url,) = upstream.delete_calls()
    parsed = urlparse(url)
    assert parsed.path == f"/v1/kling/tasks/{motion.task_id}"
    assert parse_qs(parsed.query) == {"email": [account.email]}
    deletion = MotionDeletion.objects.get()
    assert deletion.state == DeletionState.DONE
    assert (deletion.motion_name, deletion.motion_key) == ("Wave", motion.key)
    assert deletion.upstream_task_id == motion.task_id
    assert deletion.requested_by.username == "bob" and deletion.finished_at
    assert list(Motion.objects.values_list("pk", flat=True)) == [kept.pk]
    assert LibrarySync.objects.get(account=account).mine_count == 1
    page = operator_client.get(response["Location"]).content.decode()
    assert f'id="motion-{motion.pk}"' not in page and f'id="motion-{kept.pk}"' in page
    assert "Deleting “Wave” upstream." in page


def test_several_motions_are_deleted_at_once(
    account, other_account, make_motion, upstream, post_delete
):
    motions = [make_motion(account), make_motion(account), make_motion(other_account)]
    for motion in motions:
        upstream.on_delete(motion.task_id)

    post_delete(*motions)

    assert len(upstream.delete_calls()) == 3
    assert other_account.email in upstream.delete_calls()[2].replace("%40", "@")
    assert set(MotionDeletion.objects.values_list("state", flat=True)) == {"done"}
    assert not Motion.objects.exists()


def test_a_404_upstream_means_already_gone_which_counts_as_done(
    account, make_motion, upstream, post_delete
):
    motion = make_motion(account)
    upstream.on_delete(motion.task_id, status=404, body={"error": "No works found for task 1"})

    post_delete(motion)

    deletion = MotionDeletion.objects.get()
    assert deletion.state == DeletionState.DONE
    assert deletion.message == "It was already gone upstream."
    assert not Motion.objects.exists()


def test_a_failure_keeps_the_card_and_shows_the_human_message(
    operator_client, account, make_motion, upstream, post_delete
):
    motion = make_motion(account, name="Stubborn")
    upstream.on_delete(motion.task_id, status=401, body={"error": "Unauthorized", "code": 401})

    post_delete(motion)

    deletion = MotionDeletion.objects.get()
    assert deletion.state == DeletionState.FAILED
    assert "API token was refused" in deletion.message
    assert Motion.objects.filter(pk=motion.pk).exists()
    page = operator_client.get("/motions/").content.decode()
    assert f'id="motion-{motion.pk}"' in page
    assert "Deletion failed: The useapi.net API token was refused." in page
    # It may be tried again.
    assert f"/motions/delete/?motion={motion.pk}" in page


def test_every_deletion_is_audited_when_asked_and_when_it_ends(
    account, make_motion, upstream, post_delete
):
    ok = make_motion(account, name="Goes")
    bad = make_motion(account, name="Stays")
    upstream.on_delete(ok.task_id)
    upstream.on_delete(bad.task_id, status=500, body={"error": "Internal error"})

    post_delete(ok, bad)

    entries = AuditEntry.objects.filter(action="motion.delete").order_by("id")
    seen = [(e.target_label, e.target_id, e.outcome, e.actor_name) for e in entries]
    assert ("Goes", str(ok.task_id), "requested", "bob") in seen
    assert ("Stays", str(bad.task_id), "requested", "bob") in seen
    assert ("Goes", str(ok.task_id), "ok", "bob") in seen
    assert ("Stays", str(bad.task_id), "failed", "bob") in seen
    assert all(e.account_id == account.pk for e in entries)
    assert all(e.target_type == "library.motion" for e in entries)
    requested = entries.filter(outcome="requested").first()
    assert requested.ip == "127.0.0.1"
    assert entries.get(outcome="failed").detail.startswith(f"DELETE /tasks/{bad.task_id}:")


def test_official_and_2026_motions_are_refused_even_when_posted_directly(
    account, make_motion, upstream, post_delete
):
    official = make_motion(account, Origin.OFFICIAL, name="Glide")
    asset = make_motion(account, name="Asset", key="asset:a", task_id=None, shape="2026")

    response = post_delete(official, asset)

    assert response.status_code == 302
    assert upstream.delete_calls() == []
    assert not MotionDeletion.objects.exists()
    assert Motion.objects.count() == 2
    refused = AuditEntry.objects.filter(action="motion.delete", outcome="refused")
    assert {e.target_label for e in refused} == {"Glide", "Asset"}


def test_a_motion_whose_deletion_is_under_way_is_not_deleted_twice(
    account, make_motion, upstream, post_delete
):
    motion = make_motion(account)
    jobs.request_deletions([motion], _person("eve"))  # recorded, its job not yet run

    post_delete(motion)

    assert MotionDeletion.objects.count() == 1
    assert upstream.delete_calls() == []


def _person(name: str):
    from django.contrib.auth.models import User

    return User.objects.create_user(name)


def test_the_deletion_job_run_twice_calls_upstream_once(account, make_motion, upstream):
    motion = make_motion(account)
    upstream.on_delete(motion.task_id)
    ((_, deletion),) = jobs.request_deletions([motion], _person("eve"))

    jobs.delete_motion(deletion.pk)
    jobs.delete_motion(deletion.pk)

    assert len(upstream.delete_calls()) == 1
    assert AuditEntry.objects.filter(outcome="ok").count() == 1


def test_a_deletion_stuck_with_a_dead_worker_is_run_again(
    account, make_motion, upstream, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    motion = make_motion(account)
    upstream.on_delete(motion.task_id, status=404, body={"error": "No works found"})
    deletion = MotionDeletion.objects.create(
        account=account, motion_ref=motion.pk, motion_key=motion.key, motion_name=motion.name,
        upstream_task_id=motion.task_id, state="running",
        started_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        jobs.refresh_all()

    deletion.refresh_from_db()
    assert deletion.state == DeletionState.DONE


def test_cards_being_deleted_say_so_and_the_page_polls_for_them(
    operator_client, account, make_motion
):
    motion = make_motion(account, name="Going")
    jobs.request_deletions([motion], _person("eve"))

    page = operator_client.get("/motions/").content.decode()

    assert f'class="card motion-card deleting" id="motion-{motion.pk}"' in page
    assert "deleting…" in page
    assert f'hx-get="/motions/deletions/?motion={motion.pk}&amp;next=/motions/"' in page


def test_the_deletions_fragment_removes_done_cards_rerenders_failed_ones_and_stops(
    operator_client, account, make_motion, upstream
):
    going = make_motion(account, name="Going")
    failing = make_motion(account, name="Failing")
    waiting = make_motion(account, name="Waiting")
    eve = _person("eve")
    pairs = dict((m.pk, d) for m, d in jobs.request_deletions([going, failing, waiting], eve))
    upstream.on_delete(going.task_id)
    upstream.on_delete(failing.task_id, status=402, body={"error": "Subscription required"})
    jobs.delete_motion(pairs[going.pk].pk)
    jobs.delete_motion(pairs[failing.pk].pk)
    operator_client.get("/motions/")
    url = f"/motions/deletions/?motion={going.pk}&motion={failing.pk}&motion={waiting.pk}"

    busy = operator_client.get(url, headers=HX)

    body = busy.content.decode()
    assert busy.status_code == 200
    assert f'hx-get="/motions/deletions/?motion={waiting.pk}&amp;next=' in body
    assert f'<div id="motion-{going.pk}" hx-swap-oob="delete"></div>' in body
    assert f'id="motion-{failing.pk}" data-kind="mine" hx-swap-oob="true"' in body
    assert "subscription is not active" in body
    assert f'id="motion-{waiting.pk}"' not in body.split("</div>", 1)[1]

    upstream.on_delete(waiting.task_id)
    jobs.delete_motion(pairs[waiting.pk].pk)
    done = operator_client.get(f"/motions/deletions/?motion={waiting.pk}", headers=HX)

    assert done.status_code == 286
    assert "hx-trigger" not in done.content.decode()
    assert f'<div id="motion-{waiting.pk}" hx-swap-oob="delete"></div>' in done.content.decode()


def test_an_empty_or_stale_selection_goes_back_with_a_message(operator_client, account):
    nothing = operator_client.get("/motions/delete/?next=/motions/", follow=True)
    stale = operator_client.get("/motions/delete/?motion=999999", follow=True)

    assert "Select at least one motion to delete." in nothing.content.decode()
    assert "no longer in the library" in stale.content.decode()
    assert stale.redirect_chain[-1][0] == "/motions/"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.test/motions/", "//evil.test/motions/", "/accounts/", "/motions/deletions/"],
)
def test_going_back_never_leaves_the_library(operator_client, account, make_motion, next_url):
    motion = make_motion(account)

    response = operator_client.post("/motions/delete/", {"motion": [motion.pk], "next": next_url})

    assert response["Location"] == "/motions/"
