"""GET /scheduler and GET /scheduler/available: the jobs running under this token (§2.6)."""

from __future__ import annotations

from collections import Counter

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from motionhub.sandbox import lifecycle, payloads
from motionhub.sandbox.api import endpoint
from motionhub.sandbox.auth import Caller
from motionhub.sandbox.models import Account, Task


def _executing(caller: Caller) -> list[dict]:
    now = timezone.now()
    tasks = Task.objects.filter(account__namespace=caller.namespace).select_related("account")
    return [payloads.running_body(t, now) for t in lifecycle.running(tasks).order_by("created")]


@endpoint("GET")
def executing(request: HttpRequest, caller: Caller) -> HttpResponse:
    return JsonResponse(_executing(caller), safe=False)


@endpoint("GET")
def available(request: HttpRequest, caller: Caller) -> HttpResponse:
    running = _executing(caller)
    per_account = Counter(item["email"] for item in running)
    accounts = Account.objects.filter(namespace=caller.namespace).order_by("created", "pk")
    return JsonResponse(
        {
            "executing": running,
            "available": [
                {
                    "email": account.email,
                    "maxJobs": account.max_jobs,
                    "executing": per_account[account.email],
                    "available": max(account.max_jobs - per_account[account.email], 0),
                }
                for account in accounts
            ],
        }
    )
