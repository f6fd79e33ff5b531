"""Assets: POST /assets/ (raw, streamed upload) and GET /assets/download."""

from __future__ import annotations

import io
import json

import pytest
import requests
from requests.adapters import BaseAdapter

from motionhub.useapi import BadResponse, Client, InvalidInput, UpstreamTrouble

from .samples import ASSET_IMAGE, ASSET_VIDEO, BASE, BIG_WORK_ID, EMAIL, TOKEN


@pytest.fixture
def video(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"m" * 1000)
    return path


def test_it_uploads_a_video_as_a_raw_body_with_its_content_type(api, client, video):
    api.post(f"{BASE}/assets/", json=ASSET_VIDEO)
    asset = client.upload_asset(video, "video/mp4", email=EMAIL)
    request = api.calls[0].request
    assert request.method == "POST"
    assert request.url == f"{BASE}/assets/?email=team%2Bkling%40example.com"
    assert request.headers["Content-Type"] == "video/mp4"
    assert request.headers["Content-Length"] == str(video.stat().st_size)
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.body == video.read_bytes()  # responses reads the stream to record it
    assert request.req_kwargs["timeout"] == (10.0, 300.0)  # the long upload timeout
    assert asset.resource_url == ASSET_VIDEO["resourceUrl"]
    assert asset.cover_url == ASSET_VIDEO["coverUrl"]
    assert asset.file_name == "a1b2c3.mp4"
    assert asset.status == 1
    assert asset.best_url == ASSET_VIDEO["resourceUrl"]


def test_it_uploads_an_image_without_email_when_none_is_given(api, client, tmp_path):
    image = tmp_path / "person.png"
    image.write_bytes(b"\x89PNG....")
    api.post(f"{BASE}/assets/", json=ASSET_IMAGE)
    asset = client.upload_asset(str(image), "image/png")
    assert api.calls[0].request.url == f"{BASE}/assets/"
    assert api.calls[0].request.headers["Content-Type"] == "image/png"
    assert asset.url == ASSET_IMAGE["url"]
    assert asset.best_url == ASSET_IMAGE["url"]


def test_it_reports_an_upload_answer_without_any_url_as_bad(api, client, video):
    api.post(f"{BASE}/assets/", json={"status": 1, "message": ""})
    with pytest.raises(BadResponse):
        client.upload_asset(video, "video/mp4")


def test_it_passes_on_the_refusal_of_an_unsupported_content_type(api, client, video):
    refusal = "Content-Type video/webm is not supported. Valid values: image/png,image/jpeg"
    api.post(f"{BASE}/assets/", status=400, json={"error": refusal})
    with pytest.raises(InvalidInput) as caught:
        client.upload_asset(video, "video/webm")
    assert caught.value.upstream_error == refusal


class _RecordingAdapter(BaseAdapter):
    """Stands in for the network so we can see the body exactly as requests hands it over.

    (`responses` reads a file body before recording it, which hides whether it was streamed.)
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict = {}

    def send(self, request, **kwargs):
        body = request.body
        self.seen.update(
            body_type=type(body),
            position_at_send=body.tell(),
            content_length=request.headers.get("Content-Length"),
            timeout=kwargs.get("timeout"),
        )
        received = 0
        while chunk := body.read(64 * 1024):  # the way a socket would consume it
            received += len(chunk)
        self.seen["received"] = received
        response = requests.Response()
        response.status_code = 200
        response.raw = io.BytesIO(json.dumps(ASSET_VIDEO).encode())
        response.headers["Content-Type"] = "application/json"
        response.request = request
        response.url = request.url
        return response

    def close(self) -> None:
        pass


def test_it_streams_a_large_upload_from_the_open_file_instead_of_reading_it_whole(tmp_path):
    big = tmp_path / "big.mp4"
    size = 50 * 1024 * 1024
    with big.open("wb") as f:  # sparse: costs no real disk or memory
        f.truncate(size)
    adapter = _RecordingAdapter()
    session = requests.Session()
    session.mount("https://", adapter)

    asset = Client(BASE, TOKEN, session=session).upload_asset(big, "video/mp4")

    assert issubclass(adapter.seen["body_type"], io.BufferedReader)  # a file, not bytes
    assert adapter.seen["position_at_send"] == 0  # nothing was read before sending
    assert adapter.seen["content_length"] == str(size)
    assert adapter.seen["received"] == size
    assert adapter.seen["timeout"] == (10.0, 300.0)
    assert asset.resource_url == ASSET_VIDEO["resourceUrl"]


def test_it_closes_the_file_after_the_upload(api, client, video, monkeypatch):
    opened = []
    real_open = open

    def spy_open(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        opened.append(handle)
        return handle

    monkeypatch.setattr("builtins.open", spy_open)
    api.post(f"{BASE}/assets/", status=500, json={"error": "boom"})
    with pytest.raises(UpstreamTrouble):
        client.upload_asset(video, "video/mp4")
    assert opened and all(f.closed for f in opened)


def test_it_asks_for_the_clean_master_of_works(api, client):
    api.get(f"{BASE}/assets/download", json={"cdnUrl": "https://cdn.example.test/clean.mp4"})
    download = client.download_asset([BIG_WORK_ID, 7], file_types=["MP4"], email=EMAIL)
    request = api.calls[0].request
    assert request.method == "GET"
    assert request.params == {
        "workIds": f"{BIG_WORK_ID},7",  # the big id stays exact
        "fileTypes": "MP4",
        "email": EMAIL,
    }
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert download.cdn_url == "https://cdn.example.test/clean.mp4"
    assert download.raw == {"cdnUrl": "https://cdn.example.test/clean.mp4"}


def test_it_leaves_out_file_types_and_email_unless_given(api, client):
    api.get(f"{BASE}/assets/download", json={"cdnUrl": "https://cdn.example.test/all.zip"})
    client.download_asset([1])
    assert api.calls[0].request.params == {"workIds": "1"}


def test_it_reports_a_download_answer_without_cdn_url_as_bad(api, client):
    api.get(f"{BASE}/assets/download", json={"error": ""})
    with pytest.raises(BadResponse):
        client.download_asset([1])
