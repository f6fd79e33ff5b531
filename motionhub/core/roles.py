"""Who may do what. Three groups, each a superset of the one before:

- viewer: reads everything;
- operator: also submits, retries, cancels and deletes motions;
- admin: also manages connections, Kling accounts and people.

Superusers count as admins. The groups are created by a data migration.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

VIEWER, OPERATOR, ADMIN = "viewer", "operator", "admin"
ROLES = (VIEWER, OPERATOR, ADMIN)
_RANK = {None: 0, VIEWER: 1, OPERATOR: 2, ADMIN: 3}


def role_of(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """The highest role a person holds, or None for someone with no role yet."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    cached = getattr(user, "_motionhub_role", False)
    if cached is not False:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    role = next((r for r in (ADMIN, OPERATOR, VIEWER) if r in names), None)
    user._motionhub_role = role
    return role


def has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    return _RANK[role_of(user)] >= _RANK[role]


def can_operate(user: AbstractBaseUser | AnonymousUser) -> bool:
    return has_role(user, OPERATOR)


def can_administer(user: AbstractBaseUser | AnonymousUser) -> bool:
    return has_role(user, ADMIN)


def role_required(role: str) -> Callable:
    """View decorator: 403 for a signed-in person without `role` (login is the middleware's)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, role):
                raise PermissionDenied(f"This needs the {role} role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


viewer_required = role_required(VIEWER)
operator_required = role_required(OPERATOR)
admin_required = role_required(ADMIN)
