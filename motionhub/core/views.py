from __future__ import annotations

from django.shortcuts import render

from motionhub.accounts.models import KlingAccount
from motionhub.core.roles import viewer_required


@viewer_required
def home(request):
    accounts = KlingAccount.active.select_related("connection")
    return render(request, "core/home.html", {"accounts": accounts})
