"""A `next` address never sends anyone off-site (or to a javascript: URL)."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import client_for

HOSTILE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https:evil.example",
]


def _off_site(location: str) -> bool:
    return "evil" in location or location.startswith("javascript:")


@pytest.mark.parametrize("target", HOSTILE)
def test_signing_in_stays_on_site(alice, target):
    response = Client().post(
        f"/login/?next={target}", {"username": "alice", "password": "pw-alice", "next": target}
    )

    assert response.status_code == 302 and not _off_site(response["Location"])


@pytest.mark.parametrize("target", HOSTILE)
def test_the_library_s_buttons_stay_on_site(world, target):
    operator = client_for(world, "operator")

    refreshed = operator.post("/motions/refresh/", {"next": target})
    confirm = operator.get("/motions/delete/", {"motion": world.motion.pk, "next": target})
    deleted = operator.post("/motions/delete/", {"motion": world.motion.pk, "next": target})

    assert refreshed.status_code == 302 and not _off_site(refreshed["Location"])
    assert confirm.status_code == 200 and "evil" not in confirm.content.decode()
    assert "javascript:" not in confirm.content.decode()
    assert deleted.status_code == 302 and not _off_site(deleted["Location"])


def test_an_on_site_next_is_kept(world):
    operator = client_for(world, "operator")

    response = operator.post("/motions/refresh/", {"next": "/motions/?tab=official"})

    assert response["Location"] == "/motions/?tab=official"
