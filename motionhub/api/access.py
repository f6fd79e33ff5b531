"""Who is calling, and may they: a personal API token (`Authorization: Bearer mhk_…`) or a
signed-in session (with Django's CSRF check on writes), the person's own rate limit, and the
role a route needs (motionhub.core.roles: viewers read, operators submit, admins everything).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from motionhub.api import ratelimit
from motionhub.api.problems import Problem
from motionhub.core import roles
from motionhub.tokens.auth import authenticate, bearer


class PersonAuth(AuthBase):
    """A personal API token, else the browser's session, holding at least `role`. Shown in the
    schema as bearer auth. It runs before ninja reads the parameters, so a viewer's write is a
    403 whatever it sent, never a 422 about its fields."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = "A personal API token from /tokens/ (mhk_…)."

    def __init__(self, role: str) -> None:
        self.role = role
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        if bearer(request):
            # A token was sent: it alone decides (a wrong one is never saved by a session).
            user = authenticate(request)
            if user is None:
                raise Problem(401, "The API token is missing, wrong or revoked.",
                              headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        elif request.user.is_authenticated:
            if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request):
                raise Problem(403, "A signed-in session needs the CSRF token on writes.")
            user = request.user
        else:
            raise Problem(401, "Send Authorization: Bearer <your API token>.",
                          headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        if wait := ratelimit.hit(user):
            raise Problem(
                429,
                f"More than {settings.MOTIONHUB_API_RATE} requests a minute; "
                f"try again in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
        if not roles.has_role(user, self.role):
            raise Problem(403, f"This needs the {self.role} role.")
        return user


# The API's default (every read), and what every write route names as its auth.
viewers = PersonAuth(roles.VIEWER)
operators = PersonAuth(roles.OPERATOR)
