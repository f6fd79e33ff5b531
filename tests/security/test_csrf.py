"""CSRF: every address that takes a POST refuses one without the token, and nothing changes.

Every URL pattern is posted to (the callback receiver, the sandbox, the useapi-compatible
gateway and the native API excepted: they take no cookies, and answer to a signature or a bearer
token instead, see test_every_url.py), by a
person whose role may use it, with a client that enforces CSRF checks like a browser would.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from . import dbdump
from .conftest import World, client_for
from .test_every_url import APP, expectations, url_of, walk

# The native API is answered to a bearer token (no cookies, so no CSRF); a session on it is
# CSRF-checked by the API itself (tests/api/test_roles.py).
CSRF_EXEMPT_BY_DESIGN = ("hooks/", "sandbox/", "useapi/", "api/v1/")


def _posted_routes() -> list[str]:
    return [route for route, _ in walk() if not route.startswith(CSRF_EXEMPT_BY_DESIGN)]


def _signed_in(world: World, role: str) -> Client:
    client = client_for(world, role, enforce_csrf_checks=True)
    client.get("/login/")  # a page that sets the CSRF cookie, as a browser would have it
    return client


def _url(world: World, route: str) -> str:
    return url_of(route, expectations()[route].kwargs(world))


def test_every_post_without_a_token_is_refused_and_changes_nothing(world):
    # The most powerful role, whatever the view would let it do, and someone signed out.
    clients = {role: _signed_in(world, role) for role in ("admin", "anonymous")}
    before = dbdump.snapshot()
    refused = []
    for route in _posted_routes():
        for role, client in clients.items():
            response = client.post(_url(world, route), {"name": "x", "motion": world.motion.pk})
            if response.status_code != 403 or b"CSRF" not in response.content:
                refused.append(f"{role} POST {route}: {response.status_code}")

    assert not refused, "accepted without a CSRF token:\n" + "\n".join(refused)
    assert dbdump.snapshot() == before


def test_a_json_or_htmx_post_without_the_token_is_refused_too(world):
    client = _signed_in(world, "admin")
    url = _url(world, "accounts/connections/new/")
    before = dbdump.snapshot()

    as_json = client.post(url, json.dumps({"name": "x"}), content_type="application/json")
    as_htmx = client.post(url, {"name": "x"}, headers={"HX-Request": "true"})
    wrong_token = client.post(url, {"name": "x", "csrfmiddlewaretoken": "A" * 64})

    assert [as_json.status_code, as_htmx.status_code, wrong_token.status_code] == [403] * 3
    assert dbdump.snapshot() == before


@pytest.mark.parametrize(
    "route",
    [r for r in APP if not r.startswith(CSRF_EXEMPT_BY_DESIGN)],
)
def test_with_the_token_the_same_post_gets_past_the_check(world, route):
    """The control: the refusals above are CSRF's, not something else's."""
    client = _signed_in(world, "admin")
    token = client.cookies["csrftoken"].value

    response = client.post(_url(world, route), {"csrfmiddlewaretoken": token})

    assert not (response.status_code == 403 and b"CSRF" in response.content), route


def test_signing_in_needs_the_token_too(alice):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "alice", "password": "pw-alice"})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
