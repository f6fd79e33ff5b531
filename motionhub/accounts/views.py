"""Connections and Kling accounts: everyone reads, admins change.

No view here talks to useapi: changes that need the upstream are recorded as AccountChange rows
and carried out by `jobs.apply_account_change`; the page polls a small fragment until they finish.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from motionhub import audit
from motionhub.accounts import jobs
from motionhub.accounts.forms import AccountAddForm, AccountEditForm, ConnectionForm
from motionhub.accounts.models import AccountChange, AccountHealthEvent, Connection, KlingAccount
from motionhub.core.roles import admin_required, viewer_required, viewer_required_polled

RECENT_CHANGES = 10
RECENT_HEALTH = 10  # health timeline rows shown per account


@viewer_required
@require_GET
def index(request):
    connections = Connection.objects.prefetch_related(
        Prefetch("accounts", queryset=KlingAccount.active.order_by("email")),
        Prefetch(
            "accounts__health_events",
            queryset=AccountHealthEvent.objects.order_by("-at", "-id")[:RECENT_HEALTH],
            to_attr="recent_health",
        ),
    )
    return render(
        request,
        "accounts/index.html",
        {"connections": connections, **_changes_context()},
    )


def _changes_context() -> dict:
    changes = list(
        AccountChange.objects.select_related("connection", "requested_by")[:RECENT_CHANGES]
    )
    return {"changes": changes, "changes_pending": any(not c.is_final for c in changes)}


@viewer_required_polled
@require_GET
def health_fragment(request):
    """Polled by the accounts page: each account's health label, swapped in place by its id.

    One query of the few columns a label needs (besides the session's), whatever the history.
    """
    accounts = KlingAccount.active.only(
        "id", "enabled", "health", "health_until", "health_reason"
    ).order_by("pk")
    return render(request, "accounts/health_poll.html", {"accounts": accounts})


@viewer_required_polled
@require_GET
def changes_fragment(request):
    """Polled by the accounts page while a change is pending; stops polling once none is."""
    context = _changes_context()
    response = render(request, "accounts/index.html#changes", context)
    if not context["changes_pending"]:
        response.status_code = HttpResponseStopPolling.status_code
    return response


@admin_required
def connection_create(request):
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            connection = form.save(commit=False)
            connection.created_by = request.user
            connection.save()
            jobs.request_change(connection, AccountChange.Action.SYNC, user=request.user)
            audit.record(
                request,
                audit.Action.CONNECTION_CREATE,
                target=connection,
                outcome=audit.Outcome.REQUESTED,
                detail=f"base URL {connection.base_url}",
            )
        messages.success(request, f"Connection “{connection.name}” saved; syncing its accounts.")
        return redirect("accounts:index")
    return render(request, "accounts/connection_form.html", {"form": form})


@admin_required
def connection_edit(request, pk: int):
    connection = get_object_or_404(Connection, pk=pk)
    form = ConnectionForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            jobs.request_change(connection, AccountChange.Action.SYNC, user=request.user)
            audit.record(
                request,
                audit.Action.CONNECTION_UPDATE,
                target=connection,
                outcome=audit.Outcome.REQUESTED,
                detail=audit.describe_changes(form),
            )
        messages.success(request, f"Connection “{connection.name}” updated; syncing its accounts.")
        return redirect("accounts:index")
    return render(
        request, "accounts/connection_form.html", {"form": form, "connection": connection}
    )


@admin_required
@require_POST
def connection_sync(request, pk: int):
    connection = get_object_or_404(Connection, pk=pk)
    with transaction.atomic():
        jobs.request_change(connection, AccountChange.Action.SYNC, user=request.user)
        audit.record(
            request,
            audit.Action.CONNECTION_SYNC,
            target=connection,
            outcome=audit.Outcome.REQUESTED,
        )
    messages.info(request, f"Syncing “{connection.name}” with useapi.net.")
    return redirect("accounts:index")


@admin_required
def account_add(request, pk: int):
    connection = get_object_or_404(Connection, pk=pk)
    form = AccountAddForm(request.POST or None, connection=connection)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            jobs.request_change(
                connection,
                AccountChange.Action.ADD,
                user=request.user,
                email=data["email"],
                max_jobs=data["max_jobs"],
                password=data["password"],
                label=data["label"],
            )
            audit.record(
                request,
                audit.Action.ACCOUNT_ADD,
                target_type="accounts.klingaccount",
                target_label=data["email"],
                account_label=data["email"],
                outcome=audit.Outcome.REQUESTED,
                detail=f"on {connection.name}, maxJobs {data['max_jobs']}",
            )
        messages.info(
            request, f"Adding {data['email']}: useapi.net is signing in to Kling. See below."
        )
        return redirect("accounts:index")
    return render(request, "accounts/account_add.html", {"form": form, "connection": connection})


@admin_required
def account_edit(request, pk: int):
    account = get_object_or_404(KlingAccount.active.select_related("connection"), pk=pk)
    previous_max_jobs = account.max_jobs
    form = AccountEditForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            edited = form.save(commit=False)
            new_max_jobs = edited.max_jobs
            # maxJobs changes only once useapi.net has accepted it (the job stores it then).
            edited.max_jobs = previous_max_jobs
            if "enabled" in form.changed_data:
                edited.disabled_by_sync = False  # a person's choice: no sync undoes it
            edited.save(update_fields=["label", "enabled", "disabled_by_sync"])
            if form.max_jobs_changed:
                jobs.request_change(
                    account.connection,
                    AccountChange.Action.UPDATE,
                    user=request.user,
                    email=account.email,
                    max_jobs=new_max_jobs,
                    password=form.cleaned_data["password"],
                )
                messages.info(request, f"Changing maxJobs of {account.email} to {new_max_jobs}.")
            else:
                messages.success(request, f"{account.email} saved.")
            audit.record(
                request,
                audit.Action.ACCOUNT_UPDATE,
                target=account,
                account=account,
                outcome=audit.Outcome.REQUESTED if form.max_jobs_changed else audit.Outcome.OK,
                detail=audit.describe_changes(form),
            )
        return redirect("accounts:index")
    return render(request, "accounts/account_edit.html", {"form": form, "account": account})


@admin_required
def account_remove(request, pk: int):
    account = get_object_or_404(KlingAccount.active.select_related("connection"), pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            jobs.request_change(
                account.connection,
                AccountChange.Action.REMOVE,
                user=request.user,
                email=account.email,
            )
            audit.record(
                request,
                audit.Action.ACCOUNT_REMOVE,
                target=account,
                account=account,
                outcome=audit.Outcome.REQUESTED,
            )
        messages.info(request, f"Removing {account.email} from useapi.net.")
        return redirect("accounts:index")
    return render(request, "accounts/account_remove.html", {"account": account})
