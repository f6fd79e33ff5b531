from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from motionhub.core import roles as _roles


def roles(request):
    """The person's role for templates, computed only if a template asks.

    The role a page view has just checked is in the session (see roles.role_required), so
    templates — polled fragments included — read it from there without another query.
    """
    context = {"sandbox_enabled": settings.MOTIONHUB_SANDBOX}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context

    def current() -> str:
        session = getattr(request, "session", None)
        if session is not None and _roles.SESSION_KEY in session:
            return session[_roles.SESSION_KEY] or ""
        return _roles.role_of(user) or ""

    role = SimpleLazyObject(current)
    return context | {
        "role": role,
        "can_operate": SimpleLazyObject(
            lambda: _roles.rank(str(role)) >= _roles.rank(_roles.OPERATOR)
        ),
        "can_administer": SimpleLazyObject(
            lambda: _roles.rank(str(role)) >= _roles.rank(_roles.ADMIN)
        ),
    }
