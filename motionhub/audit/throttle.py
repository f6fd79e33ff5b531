"""Throttled sign-in: after too many failed attempts, refuse without checking the password.

The rule: a sign-in is refused when, within the last MOTIONHUB_SIGNIN_WINDOW_SECONDS (15 min),
MOTIONHUB_SIGNIN_MAX_FAILURES (5) sign-ins failed for the same username, or
MOTIONHUB_SIGNIN_MAX_FAILURES_PER_IP (20) failed from the same address, whatever the username.
The address limit is higher because a whole office may share one address (or one reverse proxy,
when MOTIONHUB_TRUST_X_FORWARDED_FOR is off): a few people mistyping must not lock everyone out.

The failures are counted from the audit log (`auth.login_failed` entries, written for every
failed password check by `motionhub.audit.signals`), so the count is shared by every web process
on every host, unlike Django's per-process local-memory cache. A refusal is recorded there too,
as a refused `auth.login_failed` entry whose detail says it was throttled; refusals are not
counted, so hammering a locked username does not extend its lock: the window slides past the
real failures and the username is free again, at most 5 password checks per 15 minutes.

Both sign-in forms are covered: MotionHub's own (/login/, `SignInView`, HTTP 429 with a message)
and the Django admin's (/admin/login/, `AdminSignInForm`, the form with an error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from motionhub import audit
from motionhub.audit.log import client_ip

THROTTLED_DETAIL = "too many failed sign-ins: refused without checking the password"
MESSAGE = (
    "Too many failed sign-ins for this username or from this address. "
    "Try again in {minutes} minute{plural}, or ask an admin to check your account."
)


@dataclass(frozen=True)
class Refusal:
    retry_after: int  # seconds until the oldest counted failure leaves the window

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return MESSAGE.format(minutes=minutes, plural="" if minutes == 1 else "s")


def _limits() -> tuple[timedelta, int, int]:
    window = timedelta(seconds=getattr(settings, "MOTIONHUB_SIGNIN_WINDOW_SECONDS", 900))
    per_name = getattr(settings, "MOTIONHUB_SIGNIN_MAX_FAILURES", 5)
    per_ip = getattr(settings, "MOTIONHUB_SIGNIN_MAX_FAILURES_PER_IP", 20)
    return window, per_name, per_ip


def normalise(username: str) -> str:
    """The username as the audit log stores it (one line, at most 150 characters)."""
    return " ".join(str(username or "").split())[:150]


def _recent_failures(window: timedelta):
    from motionhub.audit.models import AuditEntry

    return AuditEntry.objects.filter(
        action=audit.Action.LOGIN_FAILED, at__gte=timezone.now() - window
    ).exclude(detail=THROTTLED_DETAIL)


def check(request: HttpRequest, username: str) -> Refusal | None:
    """A Refusal when sign-ins for `username` from this request's address are throttled now.

    A refusal is recorded in the audit log. Reads at most two small index ranges.
    """
    window, per_name, per_ip = _limits()
    name = normalise(username)
    ip = client_ip(request)
    failures = _recent_failures(window)
    oldest = None
    if name:
        by_name = list(
            failures.filter(actor_name__iexact=name)
            .order_by("-at")
            .values_list("at", flat=True)[:per_name]
        )
        if len(by_name) >= per_name:
            oldest = by_name[-1]
    if oldest is None and ip:
        by_ip = list(failures.filter(ip=ip).order_by("-at").values_list("at", flat=True)[:per_ip])
        if len(by_ip) >= per_ip:
            oldest = by_ip[-1]
    if oldest is None:
        return None
    retry_after = max(1, math.ceil((oldest + window - timezone.now()).total_seconds()))
    audit.record(
        request,
        audit.Action.LOGIN_FAILED,
        actor=None,
        actor_name=name,
        outcome=audit.Outcome.REFUSED,
        detail=THROTTLED_DETAIL,
    )
    return Refusal(retry_after)


class SignInView(LoginView):
    """Django's LoginView, refusing throttled attempts before any password is checked."""

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        refusal = check(request, username)
        if refusal is None:
            return super().post(request, *args, **kwargs)
        messages.error(request, refusal.message)
        # An unbound form: the page shows the throttle message, not "wrong password".
        form = self.get_form_class()(request, initial={"username": normalise(username)})
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(refusal.retry_after)
        return response


class AdminSignInForm(AdminAuthenticationForm):
    """The admin's sign-in form under the same rule (the admin shows the error on the form)."""

    def clean(self):
        refusal = check(self.request, self.data.get("username", "")) if self.request else None
        if refusal is not None:
            raise ValidationError(refusal.message, code="throttled")
        return super().clean()
