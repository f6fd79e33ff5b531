"""GET /accounts, GET /accounts/{email}, GET /scheduler/available: the team's accounts and
slots as MotionHub last saw them (sync and health jobs), never a call upstream."""

from __future__ import annotations

from motionhub.accounts.models import KlingAccount
from motionhub.core.roles import VIEWER
from motionhub.gateway import shapes
from motionhub.gateway.answers import Refusal, endpoint


def _accounts():
    return KlingAccount.active.filter(enabled=True).order_by("email", "pk")


@endpoint(VIEWER)
def accounts(request):
    found = {a.email: shapes.account(a) for a in _accounts()}
    if not found:
        raise Refusal(404, "No Kling account is configured in MotionHub yet.")
    return 200, found


@endpoint(VIEWER)
def account(request, email: str):
    found = _accounts().filter(email__iexact=email).first()
    if found is None:
        raise Refusal(404, f"Account {email} is not configured in MotionHub.")
    return 200, shapes.account_with_balance(found)


@endpoint(VIEWER)
def scheduler_available(request):
    running = list(shapes.in_flight_tasks().order_by("claimed_at", "pk"))
    busy: dict[int, int] = {}
    for task in running:
        busy[task.account_id] = busy.get(task.account_id, 0) + 1
    available = [
        {
            "email": a.email,
            "maxJobs": a.max_jobs,
            "executing": busy.get(a.pk, 0),
            "available": max(0, a.max_jobs - busy.get(a.pk, 0)) if a.is_usable else 0,
        }
        for a in _accounts()
    ]
    return 200, {"executing": [shapes.running(t) for t in running], "available": available}
