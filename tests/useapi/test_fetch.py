"""Streamed downloads of result files: over real HTTP from a local server at the network edge."""

from __future__ import annotations

import hashlib
import io

import pytest

from motionhub.useapi import Client, FetchFailed, FetchRefused
from motionhub.useapi import fetch as fetch_module
from tests.fileserver import FileServer

from .samples import TOKEN

MB = 1024 * 1024


@pytest.fixture
def cdn():
    server = FileServer()
    yield server
    server.close()


@pytest.fixture
def client(cdn) -> Client:
    # The connection's own host is the file server's: loopback is allowed there only.
    return Client(f"http://127.0.0.1:{cdn.port}/v1/kling", TOKEN)


def _fetch(client, url, **kwargs):
    sink = io.BytesIO()
    kwargs.setdefault("max_bytes", 10 * MB)
    kwargs.setdefault("timeout", 10)
    return client.fetch_file(url, sink, **kwargs), sink.getvalue()


def test_a_file_is_streamed_hashed_and_its_url_kept_without_the_query(client, cdn):
    body = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 1000
    cdn.add("/out/made.mp4", body=body, content_type="video/mp4")

    fetched, data = _fetch(client, cdn.url("/out/made.mp4?X-Amz-Signature=s3cr3t&token=abc"))

    assert data == body
    assert fetched.size == len(body)
    assert fetched.sha256 == hashlib.sha256(body).hexdigest()
    assert fetched.content_type == "video/mp4"
    assert fetched.source_url == cdn.url("/out/made.mp4")
    assert "s3cr3t" not in repr(fetched)


def test_the_token_is_never_sent_to_the_file_host(client, cdn, monkeypatch):
    seen = {}
    original = client._http.session.get

    def spy(url, **kwargs):
        seen.update(kwargs.get("headers") or {})
        return original(url, **kwargs)

    monkeypatch.setattr(client._http.session, "get", spy)
    cdn.add("/f.jpg", body=b"\xff\xd8jpeg", content_type="image/jpeg")
    _fetch(client, cdn.url("/f.jpg"))
    assert "Authorization" not in seen


def test_an_html_error_page_is_not_kept(client, cdn):
    cdn.add("/a.mp4", body=b"<html><body>Bad gateway</body></html>", content_type="text/html")
    cdn.add("/b.mp4", body=b"  <!DOCTYPE html><p>denied", content_type="video/mp4")

    with pytest.raises(FetchFailed, match="web page"):
        _fetch(client, cdn.url("/a.mp4"))
    with pytest.raises(FetchFailed, match="web page"):
        _fetch(client, cdn.url("/b.mp4"))


def test_a_truncated_body_is_a_failure_to_try_again(client, cdn):
    cdn.add("/t.mp4", body=b"x" * 200_000, send_bytes=50_000, content_type="video/mp4")

    with pytest.raises(FetchFailed) as caught:
        _fetch(client, cdn.url("/t.mp4"))
    assert caught.value.transient
    assert "truncated" in str(caught.value) or "broke off" in str(caught.value)


def test_a_file_above_the_limit_is_refused_by_its_length_or_while_reading(client, cdn):
    cdn.add("/big.mp4", body=b"x" * (2 * MB), content_type="video/mp4")
    with pytest.raises(FetchRefused, match="above the 1 MB limit") as caught:
        _fetch(client, cdn.url("/big.mp4"), max_bytes=MB)
    assert not caught.value.transient

    # Without a Content-Length the count while reading decides.
    cdn.add("/chunked.mp4", body=b"x" * (2 * MB), content_type="video/mp4")
    cdn.routes["/chunked.mp4"].headers = {}
    original = fetch_module._content_length
    try:
        fetch_module._content_length = lambda response: None
        with pytest.raises(FetchRefused, match="more than"):
            _fetch(client, cdn.url("/chunked.mp4"), max_bytes=MB)
    finally:
        fetch_module._content_length = original


@pytest.mark.parametrize(
    "url", ["ftp://cdn.example/x.mp4", "file:///etc/passwd", "javascript:alert(1)", "nothing"]
)
def test_an_address_that_is_not_http_is_refused(client, url):
    with pytest.raises(FetchRefused, match="not an http"):
        _fetch(client, url)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.9", "169.254.169.254", "::1", "fd00::1"]
)
def test_a_private_or_loopback_address_other_than_the_connections_host_is_refused(
    client, monkeypatch, address
):
    monkeypatch.setattr(fetch_module, "resolve", lambda host, port: [address])
    with pytest.raises(FetchRefused, match="private or loopback"):
        _fetch(client, "https://cdn.evil.example/x.mp4")


def test_a_redirect_to_a_private_address_is_refused(client, cdn):
    # "localhost" is loopback but not the connection's host (127.0.0.1): refused.
    cdn.add("/r.mp4", status=302, headers={"Location": cdn.url("/secret", host="localhost")})
    cdn.add("/secret", body=b"internal")

    with pytest.raises(FetchRefused, match="private or loopback"):
        _fetch(client, cdn.url("/r.mp4"))
    assert cdn.routes["/secret"].hits == 0


def test_a_redirect_on_the_same_host_is_followed(client, cdn):
    cdn.add("/r.mp4", status=302, headers={"Location": "/real.mp4"})
    cdn.add("/real.mp4", body=b"\x00\x00\x00\x18ftypmp42", content_type="video/mp4")

    fetched, data = _fetch(client, cdn.url("/r.mp4"))

    assert data.startswith(b"\x00\x00\x00\x18ftyp")
    assert fetched.source_url == cdn.url("/r.mp4")


def test_http_errors_say_whether_to_try_again(client, cdn):
    cdn.add("/busy.mp4", body=b"x", fail_times=5)
    with pytest.raises(FetchFailed, match="503"):
        _fetch(client, cdn.url("/busy.mp4"))
    with pytest.raises(FetchRefused, match="404"):
        _fetch(client, cdn.url("/missing.mp4"))


def test_a_slow_download_stops_at_the_timeout(client, cdn):
    cdn.add("/slow.mp4", body=b"x" * 10, delay=1.5)
    with pytest.raises(FetchFailed):
        _fetch(client, cdn.url("/slow.mp4"), timeout=0.5)


def test_an_upload_streams_an_open_file_object_with_its_length(client, cdn, monkeypatch):
    sent = {}

    def fake_call(method, path, **kwargs):
        sent.update(kwargs["headers"])
        sent["body"] = kwargs["data"].read()
        return {"status": 1, "resourceUrl": "https://cdn.example/v.mp4"}

    monkeypatch.setattr(client._http, "call", fake_call)
    stream = io.BytesIO(b"0123456789")
    stream.seek(2)
    client.upload_asset(stream, "video/mp4")
    assert sent["Content-Length"] == "8"
    assert sent["body"] == b"23456789"
