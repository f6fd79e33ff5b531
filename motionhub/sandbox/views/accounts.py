"""Kling account management: GET/POST /accounts, GET/DELETE /accounts/{email} (reference §2)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, JsonResponse

from motionhub.sandbox import errors, params, payloads, triggers
from motionhub.sandbox.api import endpoint
from motionhub.sandbox.auth import Caller
from motionhub.sandbox.models import Account

# Documented trigger: this password fails the (simulated) Kling login.
WRONG_PASSWORD = "wrong-password"  # noqa: S105 - a documented test value, not a secret


@endpoint("GET", "POST")
def accounts(request: HttpRequest, caller: Caller) -> HttpResponse:
    if request.method == "POST":
        return _add_or_update(request, caller)
    configured = Account.objects.filter(namespace=caller.namespace).order_by("created", "pk")
    if not configured:
        raise errors.not_configured()
    return JsonResponse({account.email: payloads.account_body(account) for account in configured})


def _add_or_update(request: HttpRequest, caller: Caller) -> HttpResponse:
    data = params.read_body(request)
    email = params.text(data, "email", required=True, max_length=254).strip()
    params.text(data, "password", required=True)
    max_jobs = params.integer(data, "maxJobs", 1, 50, required=True)
    try:
        validate_email(email)
    except ValidationError:
        raise errors.Refusal(400, "Parameter email must be an email address") from None
    captcha = [params.text(data, name) for name in ("passToken", "did", "userId")]
    if any(captcha) and not all(captcha):
        raise errors.Refusal(
            400, "Parameters passToken, did and userId go together: give all three"
        )
    # The password is compared with the documented trigger and then forgotten: never stored.
    if data.get("password") == WRONG_PASSWORD:
        raise errors.Refusal(400, "Account does not exist or password is incorrect")
    account = Account.upsert(caller.namespace, email, max_jobs)
    return JsonResponse(payloads.account_body(account), status=201)


@endpoint("GET", "DELETE")
def account(request: HttpRequest, caller: Caller, email: str) -> HttpResponse:
    found = Account.objects.filter(namespace=caller.namespace, email=email).first()
    if found is None:
        raise errors.account_not_found(email)
    if request.method == "DELETE":
        # Always allowed, whatever the email's markers, so a demo account can be removed.
        found.delete()
        return HttpResponse(status=204)
    triggers.check_account(found, caller.config)
    body = payloads.account_body(found, balance=True)
    if "poor" in triggers.markers(found.email):  # credits run out: the balance reads 0
        body["balance"]["total"] = 0
        for point in body["balance"]["points"]:
            point["balance"] = 0
    return JsonResponse(body)
