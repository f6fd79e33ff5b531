"""POST /motions/refresh/: ask for a library refresh (operators and admins)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from motionhub.accounts.models import KlingAccount
from motionhub.core.roles import operator_required
from motionhub.library import jobs
from motionhub.library.forms import safe_next


class RefreshForm(forms.Form):
    account = forms.IntegerField(required=False, min_value=1)  # empty: every enabled account
    next = forms.CharField(required=False, max_length=2000)


@operator_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Viewers may read the cache but not spend upstream calls, hence operators only."""
    form = RefreshForm(request.POST)
    form.is_valid()
    account_pk = form.cleaned_data.get("account")
    if account_pk:
        account = get_object_or_404(KlingAccount.active, pk=account_pk)
        ids, what = [account.pk], f"the library of {account.display_name}"
    else:
        ids = list(KlingAccount.active.filter(enabled=True).values_list("pk", flat=True))
        what = f"the libraries of {len(ids)} account(s)"
    with transaction.atomic():
        jobs.request_refresh(ids)
    messages.info(request, f"Refreshing {what} from useapi.net.")
    return redirect(safe_next(form.cleaned_data.get("next"), request))
