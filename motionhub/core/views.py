from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.static import serve

from motionhub.accounts.models import KlingAccount
from motionhub.core.roles import viewer_required


@viewer_required
def home(request):
    accounts = KlingAccount.active.select_related("connection")
    return render(request, "core/home.html", {"accounts": accounts})


@viewer_required
def media(request, path: str):
    return serve(request, path, document_root=settings.MEDIA_ROOT)
