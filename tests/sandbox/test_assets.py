"""POST /assets (raw body) and the public files it serves."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image

from motionhub.sandbox.models import Asset

VALID = (
    "image/png,image/jpeg,video/mp4,video/quicktime,audio/wav,audio/wave,audio/mpeg,audio/mp4,"
    "audio/flac,audio/aac,audio/ogg"
)


def test_an_image_upload_answers_status_3_with_a_url(api, account, png):
    answer = api.upload("image/png", png)

    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"status", "url", "fileName", "message"}
    assert body["status"] == 3
    assert body["message"] == ""
    assert body["url"].endswith("/files/" + body["fileName"])
    served = requests.get(body["url"], timeout=5)
    assert served.headers["Content-Type"] == "image/png"
    assert served.content == png


def test_a_video_upload_answers_status_1_with_a_cover_from_its_first_frame(api, account, mp4):
    body = api.upload("video/mp4", mp4, email="studio@sandbox.test").json()

    assert set(body) == {"status", "resourceUrl", "coverUrl", "fileName", "message"}
    assert body["status"] == 1
    assert requests.get(body["resourceUrl"], timeout=5).content == mp4
    cover = requests.get(body["coverUrl"], timeout=5)
    assert cover.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(cover.content)).size == (320, 240)
    stored = Asset.objects.get(kind="video")
    assert (stored.width, stored.height, stored.duration_ms) == (320, 240, 2500)


def test_an_unreadable_video_still_gets_a_placeholder_cover(api, account):
    body = api.upload("video/quicktime", b"not really a video").json()

    assert body["status"] == 1
    cover = requests.get(body["coverUrl"], timeout=5)
    assert Image.open(io.BytesIO(cover.content)).format == "JPEG"


def test_an_audio_upload_answers_status_3_with_a_url(api, account):
    body = api.upload("audio/mpeg", b"ID3 fake mp3").json()

    assert body == {"status": 3, "url": body["url"], "fileName": body["fileName"]}
    assert requests.get(body["url"], timeout=5).headers["Content-Type"] == "audio/mpeg"


def test_it_refuses_an_unsupported_content_type_with_the_reference_message(api, account):
    answer = api.upload("image/gif", b"GIF89a")

    assert answer.status_code == 400
    assert answer.json() == {
        "error": f"Content-Type image/gif is not supported. Valid values: {VALID}"
    }


def test_it_refuses_a_missing_content_type_and_an_empty_body(api, account):
    assert api.upload(None, b"bytes").status_code == 400
    empty = api.upload("image/png", b"")
    assert empty.status_code == 400
    assert "empty" in empty.json()["error"]
    assert not Asset.objects.exists()


def test_it_refuses_a_multipart_body_as_a_content_type(api, account, png):
    answer = requests.post(
        f"{api.base}/assets/", files={"file": png}, headers=api.headers(), timeout=5
    )

    assert answer.status_code == 400
    assert "is not supported" in answer.json()["error"]


def test_it_refuses_an_image_over_10_mb(api, account):
    answer = api.upload("image/jpeg", b"\0" * (10 * 1024 * 1024 + 1))

    assert answer.status_code == 400
    assert "10 MB" in answer.json()["error"]
    assert not Asset.objects.exists()
    assert not list((api_media_folder()).glob("*.jpg"))


def test_it_refuses_audio_over_20_mb(api, account):
    answer = api.upload("audio/wav", b"\0" * (20 * 1024 * 1024 + 1))

    assert answer.status_code == 400
    assert "20 MB" in answer.json()["error"]


def test_a_body_longer_than_announced_is_cut_off_while_streaming(tmp_path):
    # A chunked body has no Content-Length to check first: the limit also holds mid-stream.
    from motionhub.sandbox import media

    stream = io.BytesIO(b"x" * 1000)
    with pytest.raises(media.TooLarge):
        media.receive(stream.read, tmp_path / "upload.wav", limit=999)
    assert not (tmp_path / "upload.wav").exists()


def api_media_folder():
    from motionhub.sandbox import media

    return media.folder()


def test_files_serves_only_names_it_made(api, account):
    for name in ["..%2Fsettings.py", ".hidden.png", "nope.png", "a%00b.png", "%2E%2E"]:
        assert requests.get(f"{api.base}/files/{name}", timeout=5).status_code == 404, name


def test_stock_files_are_generated_on_first_request(api, account):
    clip = requests.get(f"{api.base}/files/official-4.mp4", timeout=10)

    assert clip.status_code == 200
    assert clip.headers["Content-Type"] == "video/mp4"
    assert clip.content[4:8] == b"ftyp"
