"""Security headers on every kind of answer, a strict Content-Security-Policy, and pages that
need nothing it forbids: no inline script, no inline style, no event-handler attribute.

The browser tests (tests/e2e/) prove the same in Chromium: not one policy violation is reported
on any page they visit.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from motionhub.core import security

from .conftest import World, client_for
from .test_every_url import expectations, url_of, walk

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STRICT = (
    "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; "
    "script-src 'self'; style-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


def _assert_protected(response, what: str) -> None:
    headers = response.headers
    assert headers.get("Content-Security-Policy") == STRICT, what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("Referrer-Policy") == "same-origin", what
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", what
    assert "camera=()" in headers.get("Permissions-Policy", ""), what
    assert "microphone=()" in headers.get("Permissions-Policy", ""), what


def test_the_policy_forbids_inline_code_and_framing():
    policy = _directives(security.policy())

    for directive in ("script-src", "style-src", "default-src"):
        assert policy[directive] == ["'self'"], directive
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    # Upstream CDNs over https only; no plain http, no blob:, no wildcard origin.
    assert policy["img-src"] == ["'self'", "https:", "data:"]
    assert policy["media-src"] == ["'self'", "https:"]


def test_with_the_sandbox_on_its_loopback_files_may_be_shown_but_nothing_more(settings):
    settings.MOTIONHUB_SANDBOX = True

    policy = _directives(security.policy())

    assert policy["img-src"] == ["'self'", "https:", "data:", *security.SANDBOX_MEDIA_SOURCES]
    assert policy["media-src"] == ["'self'", "https:", *security.SANDBOX_MEDIA_SOURCES]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]


def test_every_kind_of_answer_carries_the_headers(world, settings):
    viewer = client_for(world, "viewer")
    answers = {
        "the sign-in page": Client().get("/login/"),
        "a login redirect": Client().get("/tasks/"),
        "a page": viewer.get("/"),
        "a polled fragment": viewer.get(
            f"/tasks/{world.done_task.pk}/status/", headers={"HX-Request": "true"}
        ),
        "the CSV export": viewer.get("/tasks/export.csv"),
        "an uploaded file": viewer.get(f"/media/{world.media_path}"),
        "a refusal": viewer.get("/motions/upload/"),
        "a missing page": viewer.get("/nowhere/"),
        "the callback receiver": Client().post("/hooks/useapi/", "{}", "application/json"),
        "a static file": Client().get("/static/css/app.css"),
        "the admin": client_for(world, "admin").get("/admin/"),
    }
    for what, response in answers.items():
        assert response.status_code < 500, what
        _assert_protected(response, what)


def test_django_s_technical_error_pages_keep_working_in_debug(world, settings):
    """They are inline-styled: with DEBUG (development only) a 404 gets no policy."""
    settings.DEBUG = True

    response = client_for(world, "viewer").get("/nowhere/")

    assert response.status_code == 404
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def _same_admin_template(route: str) -> bool:
    """An admin page drawn from the same template as one that is checked: one model's delete
    or history page is every model's, so those are checked for auth.user only."""
    return (
        route.startswith("admin/")
        and not route.startswith("admin/auth/user/")
        and route.endswith(("/delete/", "/history/", "<path:object_id>/"))
    )


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("an inline <script>")
        if tag == "style":
            self.found.append("a <style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}>')
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"a javascript: URL in <{tag} {name}>")


def _inline_code(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_no_page_needs_inline_script_or_style(world: World, role, settings):
    settings.MOTIONHUB_SANDBOX = True
    client = client_for(world, role)
    table = expectations()
    problems, pages = [], 0
    for route, _pattern in walk():
        if "logout" in route or _same_admin_template(route):
            continue
        spec = table[route]
        url = url_of(route, spec.kwargs(world))
        query = spec.query(world)
        # htmx asks for partials of our pages; the Django admin has none.
        for headers in ({},) if route.startswith("admin/") else ({}, {"HX-Request": "true"}):
            response = client.get(f"{url}?{query}" if query else url, headers=headers)
            if "html" not in response.get("Content-Type", "") or response.streaming:
                continue
            pages += 1
            problems += [f"{url}: {p}" for p in _inline_code(response.content.decode())]

    assert pages > 60
    assert not problems, "\n".join(sorted(set(problems)))


def test_base_html_turns_off_htmx_s_injected_indicator_styles(world):
    page = client_for(world, "viewer").get("/").content.decode()

    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in page


def test_no_template_has_inline_script_or_style():
    problems = []
    for template in TEMPLATES.rglob("*.html"):
        problems += [f"{template.name}: {p}" for p in _inline_code(template.read_text())]

    assert not problems, "\n".join(problems)
