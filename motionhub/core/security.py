"""Security headers on every response, the Content-Security-Policy first among them.

The policy is strict: scripts and styles come only from our own static files (no inline
`<script>`, no `style="..."` attributes, no `eval`), forms post only to us, and no one may frame
us. Pictures and videos are the exception: upstream (useapi.net / Kling) hands out CDN URLs, so
`img-src` and `media-src` allow any https origin besides our own. The built-in sandbox serves
its "CDN" files from our own origin (`'self'`), over plain http on a developer's machine; with
the sandbox on, http on the loopback addresses is allowed as well, so a page opened at
`localhost` still shows covers the sandbox handed out as `127.0.0.1` URLs (and vice versa).
`data:` images are allowed for the small icons browsers and the admin build from CSS.

Override the whole policy with a `MOTIONHUB_CSP` dict in settings ({directive: [sources]}).
With DEBUG on, Django's technical 404/500 pages (inline styles and scripts) get no policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "https:", "data:"],
    "media-src": ["'self'", "https:"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# With the sandbox on: its files, as a developer's browser may see them on another loopback name.
SANDBOX_MEDIA_SOURCES = ["http://127.0.0.1:*", "http://localhost:*"]

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


def policy(directives: Mapping[str, Sequence[str]] | None = None) -> str:
    """The Content-Security-Policy header value for the current settings."""
    if directives is None:
        directives = getattr(settings, "MOTIONHUB_CSP", None) or DEFAULT_CSP
    parts = {name: list(sources) for name, sources in directives.items()}
    if settings.MOTIONHUB_SANDBOX:
        for name in ("img-src", "media-src"):
            if name in parts:
                parts[name] += [s for s in SANDBOX_MEDIA_SOURCES if s not in parts[name]]
    return "; ".join(" ".join([name, *sources]) for name, sources in parts.items())


class SecurityHeadersMiddleware:
    """Adds the CSP and the other browser protections to every answer that lacks them.

    Django's own middleware already sets X-Content-Type-Options, Referrer-Policy,
    Cross-Origin-Opener-Policy (SecurityMiddleware) and X-Frame-Options (XFrameOptions-
    Middleware) from settings; they are set here too, as defaults, so the set is complete even
    if one of those is ever removed or reconfigured.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        technical_page = settings.DEBUG and response.status_code in (404, 500)
        if not technical_page and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy()
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault(
            "Referrer-Policy", getattr(settings, "SECURE_REFERRER_POLICY", None) or "same-origin"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
