"""The sandbox from Python, without HTTP: for MotionHub's start-up bootstrap and for tests."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F

from motionhub.sandbox.auth import parse_token
from motionhub.sandbox.models import (
    DEFAULT_CREDITS,
    Account,
    Asset,
    Callback,
    CreateCall,
    SandboxConfig,
    Task,
)


def seed_account(
    token: str, email: str, *, max_jobs: int = 5, credits: int = DEFAULT_CREDITS
) -> Account:
    """Configure (or update) a Kling account under `token`, as POST /accounts would."""
    namespace, _ = parse_token(token)
    if not 1 <= max_jobs <= 50:
        raise ValueError("max_jobs must be from 1 to 50")
    return Account.upsert(namespace, email, max_jobs, credits)


def create_calls(token: str | None = None) -> list[dict]:
    """Every create request that made a task (oldest first), for `token` or for all tokens.

    Each: {"type", "email", "task_id", "created_at", "resourceUrl", "imageUrl", "body"}, where
    imageUrl is the 2026 `imageUrl` or the 2025 `image`, and body holds all request fields
    except email.
    """
    calls = CreateCall.objects.order_by("created_at", "pk")
    if token is not None:
        calls = calls.filter(namespace=parse_token(token)[0])
    return [
        {
            "type": call.type,
            "email": call.email,
            "task_id": call.task_id,
            "created_at": call.created_at,
            "resourceUrl": call.body.get("resourceUrl"),
            "imageUrl": call.body.get("imageUrl") or call.body.get("image"),
            "body": call.body,
        }
        for call in calls
    ]


def fast_forward(seconds: float, *, token: str | None = None) -> int:
    """Age tasks by `seconds` (their creation time moves back); the number of tasks moved."""
    tasks = Task.objects.all()
    if token is not None:
        tasks = tasks.filter(account__namespace=parse_token(token)[0])
    return tasks.update(created=F("created") - timedelta(seconds=seconds))


def configure(**fields: object) -> SandboxConfig:
    """Change sandbox settings, e.g. configure(shape="2026") or configure(rate_503=1.0)."""
    config = SandboxConfig.load()
    for name, value in fields.items():
        setattr(config, name, value)
    config.full_clean()
    config.save()
    return config


def reset() -> None:
    """Forget every account, upload, task, callback and create call, and restore the settings.

    Uploaded files stay on disk (they live under MEDIA_ROOT/sandbox/).
    """
    for model in (CreateCall, Callback, Task, Asset, Account, SandboxConfig):
        model.objects.all().delete()


# --- demo triggers on existing accounts (also the admin's actions and `sandbox_trigger`) -----


def _accounts(email: str, token: str | None):
    accounts = Account.objects.filter(email=email)
    if token is not None:
        accounts = accounts.filter(namespace=parse_token(token)[0])
    return accounts


def break_session(email: str, *, token: str | None = None) -> int:
    """Every call on the account answers 596 until it is added again (POST /accounts)."""
    return _accounts(email, token).update(session_broken=True)


def repair_session(email: str, *, token: str | None = None) -> int:
    return _accounts(email, token).update(session_broken=False)


def set_credits(email: str, credits: int, *, token: str | None = None) -> int:
    """The account's balance, in points; each task takes TASK_COST (models.py)."""
    return _accounts(email, token).update(credits=max(credits, 0))


def throttle(email: str, calls: int, *, token: str | None = None) -> int:
    """The account's next `calls` create calls answer 429 (a streak the dashboard notices)."""
    return _accounts(email, token).update(throttle_left=max(calls, 0))
