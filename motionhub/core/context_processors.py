from __future__ import annotations

from django.conf import settings

from motionhub.core import roles as _roles


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"sandbox_enabled": settings.MOTIONHUB_SANDBOX}
    return {
        "role": _roles.role_of(user),
        "can_operate": _roles.can_operate(user),
        "can_administer": _roles.can_administer(user),
        "sandbox_enabled": settings.MOTIONHUB_SANDBOX,
    }
