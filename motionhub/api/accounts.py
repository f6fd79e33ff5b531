"""/api/v1/accounts: the Kling accounts with their health, slots and credits, as last read by
the health check and the syncs (never an upstream call)."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest
from ninja import Router

from motionhub.accounts.models import KlingAccount
from motionhub.api import schemas, shapes
from motionhub.api.tasks import PROBLEMS
from motionhub.tasks.models import IN_FLIGHT, MotionTask

router = Router(tags=["accounts"])


@router.get("", response={200: list[schemas.AccountOut], **PROBLEMS}, url_name="accounts")
def list_accounts(request: HttpRequest):
    ours = dict(
        MotionTask.objects.filter(state__in=IN_FLIGHT, account__isnull=False).order_by()
        .values_list("account_id").annotate(n=Count("id"))
    )  # fmt: skip
    accounts = KlingAccount.active.select_related("connection").order_by("connection__name",
                                                                          "email")  # fmt: skip
    return [shapes.account(a, ours.get(a.pk, 0)) for a in accounts]
