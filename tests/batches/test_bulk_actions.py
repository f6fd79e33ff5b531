"""Bulk "Retry failed" and "Cancel queued", on a batch and on the filtered history: exactly the
selected tasks, through a confirmation saying how many, one audit entry, never a task sent
twice, operators and admins only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motionhub.audit.models import AuditEntry
from motionhub.tasks.models import Batch, MotionTask, State

STATES = ("failed", "rejected", "needs_attention", "succeeded", "queued", "queued", "processing")


@pytest.fixture
def run(make_batch, bob) -> Batch:
    return make_batch(len(STATES), STATES, by=bob)


@pytest.fixture
def outsiders(db) -> list[MotionTask]:
    """Tasks of no batch, in the states a bulk action touches: they must stay as they are."""
    return [MotionTask.objects.create(name=f"Other {s}", state=s) for s in STATES[:6]]


def _states(tasks) -> list[str]:
    return [MotionTask.objects.get(pk=t.pk).state for t in tasks]


def test_retry_failed_on_a_batch_retries_its_failed_and_rejected_tasks_once_with_one_entry(
    operator_client, run, outsiders
):
    url = reverse("batches:retry", args=[run.pk])

    confirm = operator_client.get(url)
    done = operator_client.post(url)
    again = operator_client.post(url)

    assert 'data-count="2"' in confirm.content.decode()
    assert "needing attention" in confirm.content.decode()
    assert done.status_code == again.status_code == 302
    new = MotionTask.objects.filter(retry_of__isnull=False)
    assert sorted(t.retry_of.state for t in new) == ["failed", "rejected"]
    assert all(t.batch_id == run.pk and t.state == State.QUEUED for t in new)
    assert not MotionTask.objects.filter(retry_of__in=outsiders).exists()
    entries = AuditEntry.objects.filter(action="tasks.retry")
    assert [e.target_id for e in entries] == [str(run.pk), str(run.pk)]
    assert entries.order_by("id")[0].detail.startswith("2 failed or rejected task(s) retried")
    assert entries.order_by("id")[1].detail == "Nothing to retry"


def test_needs_attention_is_retried_only_once_the_person_confirms_it_is_not_upstream(
    operator_client, run
):
    url = reverse("batches:retry", args=[run.pk])
    operator_client.post(url)

    operator_client.post(url, {"needs_attention": "confirmed"})

    new = MotionTask.objects.filter(retry_of__isnull=False)
    assert sorted(t.retry_of.state for t in new) == ["failed", "needs_attention", "rejected"]


def test_cancel_queued_on_a_batch_cancels_exactly_its_queued_tasks_with_one_entry(
    operator_client, run, outsiders
):
    url = reverse("batches:cancel", args=[run.pk])

    confirm = operator_client.get(url)
    operator_client.post(url)

    assert 'data-count="2"' in confirm.content.decode()
    assert run.tasks.filter(state=State.CANCELED).count() == 2
    assert run.tasks.filter(state=State.PROCESSING).count() == 1
    assert _states(outsiders) == list(STATES[:6])
    entry = AuditEntry.objects.get(action="tasks.cancel")
    assert entry.target_id == str(run.pk) and entry.detail == "2 queued task(s) canceled"


def test_bulk_actions_on_the_history_touch_exactly_the_filtered_tasks(
    operator_client, run, outsiders
):
    query = "?state=failures&q=Other"  # the outsiders' failures, not the batch's

    confirm = operator_client.get(reverse("tasks:bulk_retry") + query)
    operator_client.post(reverse("tasks:bulk_retry") + query)
    operator_client.post(reverse("tasks:bulk_cancel") + "?q=Other")

    assert 'data-count="2"' in confirm.content.decode()
    new = MotionTask.objects.filter(retry_of__isnull=False)
    assert sorted(t.retry_of.name for t in new) == ["Other failed", "Other rejected"]
    assert not run.tasks.filter(state=State.CANCELED).exists()
    # The retries made just now are queued and match "Other": canceled with the two outsiders.
    assert MotionTask.objects.filter(name__startswith="Other", state="canceled").count() == 4
    retry_entry = AuditEntry.objects.get(action="tasks.retry")
    assert retry_entry.target_label == "q=Other&state=failures"
    assert AuditEntry.objects.get(action="tasks.cancel").detail == "4 queued task(s) canceled"


def test_a_bulk_action_with_an_invalid_filter_is_refused_rather_than_widened(
    operator_client, outsiders
):
    response = operator_client.post(reverse("tasks:bulk_cancel") + "?state=nonsense")

    assert response.status_code == 400
    assert _states(outsiders) == list(STATES[:6])
    assert not AuditEntry.objects.filter(action="tasks.cancel").exists()


@pytest.mark.parametrize("name", ["batches:retry", "batches:cancel"])
def test_a_viewer_can_neither_see_nor_use_the_bulk_actions(viewer_client, run, name):
    url = reverse(name, args=[run.pk])

    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url).status_code == 403
    assert viewer_client.post(reverse("tasks:bulk_cancel")).status_code == 403
    assert "Retry failed" not in viewer_client.get(run.get_absolute_url()).content.decode()
    assert MotionTask.objects.filter(state="canceled").count() == 0
    assert not MotionTask.objects.filter(retry_of__isnull=False).exists()
