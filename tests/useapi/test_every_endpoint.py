"""What holds for every endpoint: a timeout, the Bearer token, JSON accepted, one method each."""

from __future__ import annotations

import pytest
import responses

from motionhub.useapi import Client

from .samples import BASE, TOKEN

CALLS = [
    ("GET", "/accounts", {}, lambda c: c.list_accounts()),
    ("GET", "/accounts/a@b.c", {"email": "a@b.c"}, lambda c: c.get_account("a@b.c")),
    ("POST", "/accounts", {"email": "a@b.c"}, lambda c: c.add_account("a@b.c", "pw", 1)),
    ("DELETE", "/accounts/a@b.c", {}, lambda c: c.delete_account("a@b.c")),
    ("GET", "/assets/download", {"cdnUrl": "https://x"}, lambda c: c.download_asset([1])),
    (
        "POST",
        "/videos/motion-upload",
        {"task": {"id": 1}},
        lambda c: c.motion_upload(resource_url="r", cover_url="c"),
    ),
    ("POST", "/videos/motion-create", {"task": {"id": 1}}, lambda c: c.motion_create()),
    ("GET", "/videos/motions", [], lambda c: c.list_motions()),
    ("GET", "/tasks/1", {"task": {"id": 1}}, lambda c: c.get_task(1)),
    ("GET", "/tasks", {"history": []}, lambda c: c.list_tasks(email="a@b.c")),
    ("DELETE", "/tasks/1", {"deleted": 1}, lambda c: c.delete_task(1)),
    ("GET", "/scheduler", [], lambda c: c.scheduler()),
    ("GET", "/scheduler/available", {}, lambda c: c.scheduler_available()),
]


@pytest.mark.parametrize(("method", "path", "answer", "call"), CALLS, ids=[c[1] for c in CALLS])
def test_it_sends_every_call_with_a_timeout_and_the_bearer_token(api, method, path, answer, call):
    api.add(method, BASE + path, json=answer)
    call(Client(BASE, TOKEN, timeout=20))
    request = api.calls[0].request
    assert request.req_kwargs["timeout"] == (10.0, 20)
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"


def test_it_uploads_with_the_upload_timeout(api, tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"png")
    api.post(f"{BASE}/assets/", json={"url": "https://x/a.png"})
    Client(BASE, TOKEN, timeout=20, upload_timeout=600).upload_asset(path, "image/png")
    assert api.calls[0].request.req_kwargs["timeout"] == (10.0, 600)


def test_it_has_one_public_method_per_endpoint():
    public = {name for name in vars(Client) if not name.startswith("_")}
    assert public == {
        "list_accounts",
        "get_account",
        "add_account",
        "delete_account",
        "upload_asset",
        "download_asset",
        "fetch_file",  # not an endpoint: the streamed download of a result URL (fetch.py)
        "motion_upload",
        "motion_create",
        "list_motions",
        "get_task",
        "list_tasks",
        "delete_task",
        "scheduler",
        "scheduler_available",
        "account_stats",  # on the useapi root, not under /v1/kling (stats.py)
        "close",
    }


def test_it_never_calls_requests_without_a_timeout(monkeypatch, tmp_path):
    # Belt and braces: inspect the session's own request kwargs, not just what reached the mock.
    seen = []
    client = Client(BASE, TOKEN)
    real = client._http.session.request

    def spy(method, url, **kwargs):
        seen.append(kwargs.get("timeout"))
        return real(method, url, **kwargs)

    monkeypatch.setattr(client._http.session, "request", spy)
    path = tmp_path / "a.png"
    path.write_bytes(b"png")
    with responses.RequestsMock() as api:
        api.get(f"{BASE}/tasks/1", json={"task": {"id": 1}})
        api.post(f"{BASE}/assets/", json={"url": "https://x/a.png"})
        client.get_task(1)
        client.upload_asset(path, "image/png")
    assert seen == [(10.0, 30.0), (10.0, 300.0)]
