"""The frame every sandbox endpoint shares.

In order: the sandbox switch (404 when off, checked per request), the HTTP method, the token
(401/402), injected faults, then the view; a `Refusal` raised anywhere becomes its answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from motionhub.sandbox import auth, triggers
from motionhub.sandbox.errors import Refusal


def endpoint(*methods: str, public: bool = False) -> Callable:
    """Make a sandbox view. Authorised views get the `Caller` as their second argument.

    `public` views (the files "CDN") take no token and no injected faults.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not settings.MOTIONHUB_SANDBOX:
                raise Http404("The sandbox is off.")
            if request.method not in methods:
                return JsonResponse(
                    {"error": f"Method {request.method} is not allowed"},
                    status=405,
                    headers={"Allow": ", ".join(methods)},
                )
            try:
                if public:
                    return view(request, *args, **kwargs)
                caller = auth.caller_of(request)
                triggers.roll_faults(caller.config)
                return view(request, caller, *args, **kwargs)
            except Refusal as refusal:
                return refusal.response()

        # A machine client, not a browser session: no CSRF token, no login.
        return csrf_exempt(login_not_required(wrapper))

    return decorate


def files_base(request: HttpRequest) -> str:
    """Absolute URL prefix of the sandbox's public files, e.g. `http://host/…/files/`."""
    return request.build_absolute_uri(reverse("sandbox:file", args=["-"])).removesuffix("-")
