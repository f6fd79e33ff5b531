from __future__ import annotations

from django.shortcuts import render

from motionhub.accounts.models import Connection


def index(request):
    return render(request, "accounts/index.html", {"connections": Connection.objects.all()})
