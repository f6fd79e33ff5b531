"""The audit entry of each submission, worded once for every surface that makes one: the
pages (upload, apply), the native API and the useapi-compatible gateway."""

from __future__ import annotations

from motionhub import audit


def _where(account) -> str:
    return "automatic" if account is None else account.display_name


def upload(request, task) -> None:
    account = None if task.auto_account else task.account
    audit.record(
        request, audit.Action.MOTION_UPLOAD, target=task, account=task.account,
        outcome=audit.Outcome.REQUESTED,
        detail=f"{task.inputs['duration_s']} s video; account {_where(account)}",
    )  # fmt: skip


def upload_run(request, batch, form) -> None:
    """A run of clips from the upload form (`form`: its clips, its refusals, its account)."""
    account = form.cleaned_data["account"]
    audit.record(
        request, audit.Action.MOTION_UPLOAD, target=batch, account=account,
        outcome=audit.Outcome.REQUESTED,
        detail=f"Batch of {len(form.clips)} clips ({len(form.refused)} refused); "
        f"account {_where(account)}",
    )  # fmt: skip


def create(request, task, motion) -> None:
    """`motion`: the library motion applied (its team name and key)."""
    audit.record(
        request, audit.Action.MOTION_CREATE, target=task, account=task.account,
        outcome=audit.Outcome.REQUESTED, detail=f"Motion “{motion.shown_name}” ({motion.key})",
    )  # fmt: skip


def create_run(request, batch, count: int) -> None:
    audit.record(
        request, audit.Action.MOTION_CREATE, target=batch, outcome=audit.Outcome.REQUESTED,
        detail=f"Batch of {count} motion-create tasks (motions by images)",
    )  # fmt: skip
