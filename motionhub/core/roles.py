"""Who may do what. Three groups, each a superset of the one before:

- viewer: reads everything;
- operator: also submits, retries, cancels and deletes motions;
- admin: also manages connections, Kling accounts and people.

Superusers count as admins. The groups are created by a data migration.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from motionhub.core.prepared import Prepared

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

VIEWER, OPERATOR, ADMIN = "viewer", "operator", "admin"
ROLES = (VIEWER, OPERATOR, ADMIN)
_RANK = {None: 0, VIEWER: 1, OPERATOR: 2, ADMIN: 3}


# Every page reads the role (a role taken away applies at the next load): building the groups
# query through the related manager cost more than a quarter of a millisecond a page
# (`make bench`, home_vs_bare), so it is built once (core/prepared.py).
_GROUP_NAMES = Prepared(lambda user_id: Group.objects.filter(user__id=user_id).values_list("name"))


def role_of(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """The highest role a person holds, or None for someone with no role yet."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    cached = getattr(user, "_motionhub_role", False)
    if cached is not False:
        return cached
    names = {name for (name,) in _GROUP_NAMES.rows(user.pk)}
    role = next((r for r in (ADMIN, OPERATOR, VIEWER) if r in names), None)
    user._motionhub_role = role
    return role


def rank(role: str | None) -> int:
    return _RANK.get(role or None, 0)


def has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    return _RANK[role_of(user)] >= _RANK[role]


def can_operate(user: AbstractBaseUser | AnonymousUser) -> bool:
    return has_role(user, OPERATOR)


def can_administer(user: AbstractBaseUser | AnonymousUser) -> bool:
    return has_role(user, ADMIN)


SESSION_KEY = "motionhub_role"


def role_required(role: str, *, from_session: bool = False) -> Callable:
    """View decorator: 403 for a signed-in person without `role` (login is the middleware's).

    Pages read the role from the database and remember it in the session; polled fragments
    (`from_session=True`) trust that remembered role, which saves a query on every poll. A role
    taken away therefore reaches an open page's fragments when the person next loads a page.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            session = getattr(request, "session", None)
            if from_session and session is not None and SESSION_KEY in session:
                current = session[SESSION_KEY]
            else:
                current = role_of(request.user)
                if session is not None and session.get(SESSION_KEY) != current:
                    session[SESSION_KEY] = current
            if _RANK[current] < _RANK[role]:
                raise PermissionDenied(f"This needs the {role} role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


viewer_required = role_required(VIEWER)
viewer_required_polled = role_required(VIEWER, from_session=True)
operator_required = role_required(OPERATOR)
admin_required = role_required(ADMIN)
