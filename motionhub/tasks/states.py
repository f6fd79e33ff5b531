"""The states of a task and their groups: the vocabulary the pipeline and the pages share."""

from __future__ import annotations

from typing import NamedTuple

from django.db import models


class State(models.TextChoices):
    QUEUED = "queued", "Queued"
    UPLOADING = "uploading", "Uploading"
    SUBMITTING = "submitting", "Submitting"
    SUBMITTED = "submitted", "Submitted"
    PROCESSING = "processing", "Processing"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REJECTED = "rejected", "Rejected"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    CANCELED = "canceled", "Canceled"


# A task holds one of its account's slots from the moment a worker claims it until it is final.
IN_FLIGHT = (State.UPLOADING, State.SUBMITTING, State.SUBMITTED, State.PROCESSING)
# Upstream knows the task: tracking polls these.
TRACKED = (State.SUBMITTED, State.PROCESSING)
FINAL = (State.SUCCEEDED, State.FAILED, State.REJECTED, State.CANCELED)
# A person may submit these again as a new, linked task.
RETRYABLE = (State.FAILED, State.REJECTED, State.NEEDS_ATTENTION)
# Nothing will change by itself any more (needs_attention waits for a person).
SETTLED = (*FINAL, State.NEEDS_ATTENTION)


class StateGroup(NamedTuple):
    label: str
    states: tuple[str, ...]


# Named groups of states, offered by the history's state filter (its `state=` value) and linked
# to from the home page: every state that is not settled yet, and every failure.
IN_PROGRESS = "in_progress"
FAILURES = "failures"
STATE_GROUPS = {
    IN_PROGRESS: StateGroup("In progress (any)", (State.QUEUED, *IN_FLIGHT)),
    FAILURES: StateGroup(
        "Failed, rejected or stuck", (State.FAILED, State.REJECTED, State.NEEDS_ATTENTION)
    ),
}
