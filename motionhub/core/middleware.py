from __future__ import annotations

from django.contrib.auth import middleware as auth_middleware
from django.http import HttpResponseForbidden


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Every page needs a login (opt out with @login_not_required).

    An htmx request from an expired session gets a plain 403 instead of the login page, so a
    polled fragment never swaps a whole login form into the middle of a page.
    """

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            return HttpResponseForbidden("Your session has ended. Sign in again.")
        return super().handle_no_permission(request, view_func)
