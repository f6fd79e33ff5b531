"""Who is calling (the API token's namespace) and which Kling account a call is about."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.http import HttpRequest

from motionhub.sandbox import errors, triggers
from motionhub.sandbox.models import Account, SandboxConfig

# useapi tokens look like `user:12345-<secret>`.
_TOKEN = re.compile(r"user:(\d+)-(\S+)")


@dataclass(frozen=True)
class Caller:
    namespace: str  # SHA-256 of the token
    user_number: int
    config: SandboxConfig


def parse_token(token: str) -> tuple[str, int]:
    """(namespace, useapi user number) of a well-formed token; ValueError otherwise."""
    match = _TOKEN.fullmatch(token.strip())
    if not match:
        raise ValueError("not a useapi API token (user:<digits>-<secret>)")
    return hashlib.sha256(token.strip().encode()).hexdigest(), int(match.group(1))


def caller_of(request: HttpRequest) -> Caller:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise errors.unauthorized()
    try:
        namespace, user_number = parse_token(token)
    except ValueError:
        raise errors.unauthorized() from None
    if user_number == triggers.SUBSCRIPTION_LAPSED_USER:
        raise errors.subscription_required()
    return Caller(namespace, user_number, SandboxConfig.load())


def select_account(caller: Caller, email: str | None) -> Account:
    """The account a call names, or the only one; then that account's failure markers apply."""
    accounts = Account.objects.filter(namespace=caller.namespace)
    email = (email or "").strip()
    if email:
        account = accounts.filter(email=email).first()
        if account is None and not accounts.exists():
            raise errors.not_configured()
        if account is None:
            raise errors.account_not_found(email)
    else:
        found = list(accounts[:2])
        if not found:
            raise errors.not_configured()
        if len(found) > 1:
            raise errors.Refusal(
                400, "Parameter email is required when multiple accounts are configured"
            )
        account = found[0]
    triggers.check_account(account, caller.config)
    return account
