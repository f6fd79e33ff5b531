"""Writing the audit log: `record()` is the one way entries are made.

Recording must never break what a person was doing, so anything odd in the arguments (a label
too long, an address that does not parse, a target whose `str()` fails) is tidied up here rather
than raised; only database errors reach the caller, as they would for the action itself.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings

from motionhub.audit.actions import Action, Outcome

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.db.models import Model
    from django.http import HttpRequest

    from motionhub.audit.models import AuditEntry

log = logging.getLogger(__name__)

# Form fields whose values are secrets. Their submitted values are masked in anything recorded,
# in case a caller's summary ever quotes one by mistake.
_SECRET_FIELD_HINTS = ("password", "token", "secret", "key")
_MASK = "••••"
# Shorter "secrets" (an empty checkbox, "on") would mask ordinary words.
_MIN_SECRET_LENGTH = 6
# The request attribute an API-token authentication sets (motionhub.tokens): entries recorded
# for such a request are marked as made through the API.
MARK = "motionhub_via_api"


def record(
    request: HttpRequest | None,
    action: str,
    *,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_label: str = "",
    account: Model | None = None,  # a KlingAccount (the audit log sits below accounts)
    account_label: str = "",
    outcome: str = Outcome.OK,
    detail: str = "",
    actor: AbstractBaseUser | None = None,
    actor_name: str = "",
    via_api: bool | None = None,
) -> AuditEntry:
    """Append one entry: who did `action` to what, on which Kling account, and how it ended.

    The actor is `actor`, else the signed-in person of `request`; `actor_name` names someone who
    is not (yet) a user, such as the username tried in a failed sign-in. A model instance given
    as `target` fills in its type, id and label; the explicit arguments win. The source address
    is the request's REMOTE_ADDR (X-Forwarded-For only when MOTIONHUB_TRUST_X_FORWARDED_FOR).
    An entry is marked as made through the API when `via_api` says so, or (by default) when the
    request was authenticated by a personal API token (`request.motionhub_via_api`, set by
    `motionhub.tokens.authenticate`), so a page action reused by a script is marked for free.
    """
    # Imported here: this module is imported by the package itself, before models may load.
    from motionhub.audit.models import AuditEntry

    if action not in Action.values:
        # A programming mistake, but not worth losing the entry (or the person's action) over.
        log.warning("Audit action %r is not a known key; recording it anyway.", action)
    if outcome not in Outcome.values:
        log.warning("Audit outcome %r is not a known value; recording it as failed.", outcome)
        outcome = Outcome.FAILED

    # An unsaved row cannot be linked to; its name still goes in.
    if actor is not None and actor.pk is None:
        actor_name, actor = actor_name or _safe_str(actor), None
    if account is not None and account.pk is None:
        account_label, account = account_label or _account_label(account), None
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor is not None and not actor_name:
        actor_name = actor.get_username()

    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or ("" if target.pk is None else target.pk)
        target_label = target_label or _safe_str(target)
    if account is not None:
        account_label = account_label or _account_label(account)

    secrets = _submitted_secrets(request)
    fields = AuditEntry._meta
    entry = AuditEntry(
        actor=actor,
        actor_name=_fit(_mask(actor_name, secrets), fields.get_field("actor_name").max_length),
        action=_fit(action, fields.get_field("action").max_length),
        target_type=_fit(target_type, fields.get_field("target_type").max_length),
        target_id=_fit(target_id, fields.get_field("target_id").max_length),
        target_label=_fit(
            _mask(target_label, secrets), fields.get_field("target_label").max_length
        ),
        account=account,
        account_label=_fit(account_label, fields.get_field("account_label").max_length),
        outcome=outcome,
        detail=_fit(_mask(detail, secrets), fields.get_field("detail").max_length),
        ip=client_ip(request),
        via_api=bool(getattr(request, MARK, False)) if via_api is None else via_api,
    )
    entry.save()
    return entry


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from, or None when there is no valid one.

    X-Forwarded-For is set by whoever sends the request, so it is believed only when a reverse
    proxy we run is known to set it; then its last address is the one that proxy saw connect.
    """
    if request is None:
        return None
    if settings.MOTIONHUB_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = _valid_ip(forwarded.rsplit(",", 1)[-1])
        if address:
            return address
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def describe_changes(form: Any) -> str:
    """A short summary of what a bound, valid form changed: `label “A” → “B”; enabled: yes → no`.

    Secret fields (password inputs) are named but their values never appear.
    """
    parts = []
    for name in form.changed_data:
        field = form.fields[name]
        label = str(field.label or name)
        if getattr(field.widget, "input_type", "") == "password":
            parts.append(f"{label} entered (not recorded)")
            continue
        before = _show(form.initial.get(name))
        after = _show(form.cleaned_data.get(name))
        parts.append(f"{label}: {before} → {after}")
    return "; ".join(parts) or "no changes"


def _show(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value in (None, ""):
        return "—"
    return f"“{value}”" if isinstance(value, str) else str(value)


def _account_label(account: Model) -> str:
    # The email is what identifies an account upstream; the label is what the team calls it.
    email = getattr(account, "email", "")
    label = getattr(account, "label", "")
    if label and email and label != email:
        return f"{label} <{email}>"
    return email or label or _safe_str(account)


def _safe_str(obj: Any) -> str:
    try:
        return str(obj)
    except Exception:  # a broken __str__ must not cost the entry
        log.warning("Audit: str() failed for a %s", type(obj).__name__, exc_info=True)
        return ""


def _fit(value: Any, max_length: int | None) -> str:
    text = "" if value is None else _safe_str(value)
    text = " ".join(text.split())  # one line: no newlines smuggled into a log row
    if max_length and len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return text


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _submitted_secrets(request: HttpRequest | None) -> list[str]:
    if request is None or request.method != "POST":
        return []
    try:
        submitted = list(request.POST.lists())
    except Exception:  # a body already consumed as a raw stream (e.g. a webhook) has no form
        return []
    found = []
    for name, values in submitted:
        if any(hint in name.lower() for hint in _SECRET_FIELD_HINTS):
            found.extend(v for v in values if len(v) >= _MIN_SECRET_LENGTH)
    # Longest first, so a secret that contains another is masked whole.
    return sorted(found, key=len, reverse=True)


def _mask(text: str, secrets: list[str]) -> str:
    text = _safe_str(text) if not isinstance(text, str) else text
    for secret in secrets:
        text = text.replace(secret, _MASK)
    return text
