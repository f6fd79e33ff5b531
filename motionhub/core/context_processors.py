from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from motionhub.core import roles as _roles


def roles(request):
    """The person's role for templates, computed only if a template asks (fragments don't)."""
    context = {"sandbox_enabled": settings.MOTIONHUB_SANDBOX}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    return context | {
        "role": SimpleLazyObject(lambda: _roles.role_of(user) or ""),
        "can_operate": SimpleLazyObject(lambda: _roles.can_operate(user)),
        "can_administer": SimpleLazyObject(lambda: _roles.can_administer(user)),
    }
