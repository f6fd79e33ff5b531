"""Receivers that record what happens outside our own views: sign-ins, sign-outs, role changes.

Roles are group memberships, so a role change is recorded from `m2m_changed` wherever it
happens (the admin, `motionhub_setup`, a shell). Signals do not know who made the change; the
people admin attaches its request to the user it saves (`attach_request`), which gives the entry
its actor and address without any thread-local state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from motionhub.audit.actions import Action, Outcome
from motionhub.audit.log import record

if TYPE_CHECKING:
    from django.http import HttpRequest

User = get_user_model()

_REQUEST_ATTR = "_audit_request"
_PENDING_ATTR = "_audit_groups_leaving"


def attach_request(instance: Any, request: HttpRequest) -> None:
    """Let receivers that later see `instance` know which request (person, address) acted."""
    setattr(instance, _REQUEST_ATTR, request)


def _attached_request(instance: Any) -> HttpRequest | None:
    return getattr(instance, _REQUEST_ATTR, None)


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    record(request, Action.LOGIN, actor=user, target=user)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:  # signing out without a session changes nothing worth a row
        record(request, Action.LOGOUT, actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the username is read from the credentials: Django masks the password already, and
    # nothing else in them belongs in a log.
    tried = credentials.get(User.USERNAME_FIELD) or credentials.get("username") or ""
    record(
        request,
        Action.LOGIN_FAILED,
        actor=None,
        actor_name=str(tried),
        outcome=Outcome.REFUSED,
        detail="wrong username or password, or the account is inactive",
    )


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit-role-change")
def _groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    # `reverse` is True when the change was made from the group's side (group.user_set.add).
    if action == "pre_remove":
        setattr(instance, _PENDING_ATTR, _memberships(instance, reverse, pk_set))
    elif action == "pre_clear":
        setattr(instance, _PENDING_ATTR, _memberships(instance, reverse, None))
    elif action == "post_add":
        for user, group in _pairs(instance, reverse, pk_set):
            _record_role_change(instance, user, f"added to {group.name}")
    elif action in ("post_remove", "post_clear"):
        for user, group in getattr(instance, _PENDING_ATTR, []):
            _record_role_change(instance, user, f"removed from {group.name}")
        setattr(instance, _PENDING_ATTR, [])


def _pairs(instance, reverse: bool, pk_set) -> list[tuple[Any, Group]]:
    if not pk_set:
        return []
    if reverse:
        return [(user, instance) for user in User.objects.filter(pk__in=pk_set)]
    return [(instance, group) for group in Group.objects.filter(pk__in=pk_set)]


def _memberships(instance, reverse: bool, pk_set) -> list[tuple[Any, Group]]:
    """The (user, group) pairs that exist now among those about to be removed (all when None).

    `remove()` reports the ids it was given, members or not, so they are checked first.
    """
    if reverse:
        users = instance.user_set.all()
        if pk_set is not None:
            users = users.filter(pk__in=pk_set)
        return [(user, instance) for user in users]
    groups = instance.groups.all()
    if pk_set is not None:
        groups = groups.filter(pk__in=pk_set)
    return [(instance, group) for group in groups]


def _record_role_change(changed_from, user, detail: str) -> None:
    request = _attached_request(changed_from) or _attached_request(user)
    record(request, Action.ROLE_CHANGE, target=user, detail=detail)
