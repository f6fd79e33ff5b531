from __future__ import annotations

from django.shortcuts import render

from motionhub.accounts.models import KlingAccount


def home(request):
    accounts = KlingAccount.objects.select_related("connection").order_by(
        "connection__name", "email"
    )
    return render(request, "core/home.html", {"accounts": accounts})
