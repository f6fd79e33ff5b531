"""Fixtures for the useapi client tests: a client on a fake base URL, with `responses` active.

Nothing here touches the network or the database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from motionhub.useapi import Client

from .samples import BASE, TOKEN


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client(api: responses.RequestsMock) -> Client:
    return Client(BASE, TOKEN)
