"""The custom-motion upload's media checks, against real (tiny) generated files."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops, ImageStat

from motionhub.media import (
    ImageInfo,
    MediaError,
    VideoInfo,
    extract_cover,
    probe_cover_image,
    probe_motion_video,
)
from tests.clips import make_image

MiB = 1024 * 1024


@pytest.fixture
def copy_of(tmp_path) -> Callable[[Path, str], Path]:
    def copy(source: Path, name: str) -> Path:
        return Path(shutil.copyfile(source, tmp_path / name))

    return copy


def refusal(probe: Callable[[Path], object], path: Path) -> str:
    with pytest.raises(MediaError) as caught:
        probe(path)
    return str(caught.value)


def truncated(source: Path, dest: Path, fraction: float) -> Path:
    data = source.read_bytes()
    dest.write_bytes(data[: int(len(data) * fraction)])
    return dest


# ------------------------------------------------------------------------------------------
# Videos: accepted


def test_it_accepts_a_three_second_mp4_and_describes_it(clip):
    path = clip(3)

    info = probe_motion_video(path)

    assert info == VideoInfo(
        container="mp4",
        content_type="video/mp4",
        duration_s=3.0,
        width=320,
        height=320,
        codec="h264",
        size=path.stat().st_size,
    )


def test_it_accepts_a_video_of_exactly_two_seconds(clip):
    assert probe_motion_video(clip(2.0, size="160x90")).duration_s == pytest.approx(2.0)


def test_it_accepts_a_video_of_exactly_ten_seconds(clip):
    assert probe_motion_video(clip(10.0, size="160x90")).duration_s == pytest.approx(10.0)


def test_it_accepts_a_quicktime_mov_and_calls_it_mov(clip):
    info = probe_motion_video(clip(3, name="clip.mov", fmt="mov", size="160x90"))

    assert (info.container, info.content_type) == ("mov", "video/quicktime")


def test_it_judges_the_container_by_content_so_a_mov_named_mp4_is_a_mov(clip):
    assert probe_motion_video(clip(3, name="clip.mp4", fmt="mov", size="160x90")).container == "mov"


def test_it_accepts_a_video_with_sound(clip):
    info = probe_motion_video(clip(10.0, size="160x90", audio=True))

    assert info.duration_s == pytest.approx(10.0)


def test_it_accepts_a_faststart_mp4(clip):
    assert probe_motion_video(clip(3, size="160x90", faststart=True)).container == "mp4"


def test_it_reports_a_phone_rotated_video_as_it_is_displayed(clip):
    info = probe_motion_video(clip(3, size="320x180", rotation=90))

    assert (info.width, info.height) == (180, 320)


# ------------------------------------------------------------------------------------------
# Videos: refused


def test_it_refuses_a_video_shorter_than_two_seconds(clip):
    message = refusal(probe_motion_video, clip(1.9, size="160x90"))

    assert "1.9 s long" in message
    assert "2 to 10 seconds" in message


def test_it_refuses_a_video_longer_than_ten_seconds(clip):
    message = refusal(probe_motion_video, clip(10.1, size="160x90"))

    assert "10.1 s long" in message
    assert "2 to 10 seconds" in message


def test_it_refuses_an_audio_only_mp4(clip):
    message = refusal(probe_motion_video, clip(3, video=False, audio=True))

    assert "no video stream" in message
    assert "audio only" in message


def test_it_refuses_a_matroska_file_renamed_mp4(clip):
    message = refusal(probe_motion_video, clip(3, name="renamed.mp4", fmt="mkv", size="160x90"))

    assert "Matroska (mkv)" in message
    assert "mp4 or mov" in message


def test_it_refuses_a_truncated_mp4_with_its_index_at_the_end(clip, tmp_path):
    path = truncated(clip(3), tmp_path / "cut.mp4", 0.3)

    assert "not a readable video" in refusal(probe_motion_video, path)


def test_it_refuses_a_truncated_faststart_mp4_whose_index_is_intact(clip, tmp_path):
    # The index comes first, so the file opens and its first frame decodes: only the
    # packets running out before the index says they should gives it away.
    path = truncated(clip(3, faststart=True), tmp_path / "cut.mp4", 0.5)

    assert "not a readable video" in refusal(probe_motion_video, path)


def test_it_refuses_an_empty_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()

    assert refusal(probe_motion_video, path) == "The file is empty."


def test_it_refuses_a_jpeg_renamed_mp4(tmp_path):
    # FFmpeg happily opens a JPEG as a one-frame mjpeg "video"; the container gives it away.
    path = make_image(tmp_path / "photo.mp4", 400, 400)

    message = refusal(probe_motion_video, path)

    assert "an image, not a video" in message
    assert "mp4 or mov" in message


def test_it_refuses_a_video_over_100_mb_without_reading_it(tmp_path):
    path = tmp_path / "huge.mp4"
    with path.open("wb") as f:
        f.truncate(101 * MiB)  # sparse: instant, and no demuxer could make sense of it anyway

    assert refusal(probe_motion_video, path) == "This video is 101 MB; the limit is 100 MB."


def test_it_refuses_a_video_one_byte_over_the_limit_without_calling_it_100_mb(tmp_path):
    path = tmp_path / "huge.mp4"
    with path.open("wb") as f:
        f.truncate(100 * MiB + 1)

    assert "100.1 MB; the limit is 100 MB" in refusal(probe_motion_video, path)


def test_it_refuses_random_bytes(tmp_path):
    path = tmp_path / "noise.mp4"
    path.write_bytes(os.urandom(64 * 1024))

    assert "not a readable video" in refusal(probe_motion_video, path)


def test_it_refuses_a_missing_file_with_a_message_not_a_traceback(tmp_path):
    assert "could not be read" in refusal(probe_motion_video, tmp_path / "gone.mp4")


# ------------------------------------------------------------------------------------------
# Cover images


def test_it_accepts_a_jpeg_cover(tmp_path):
    path = make_image(tmp_path / "cover.jpg", 400, 300)

    assert probe_cover_image(path) == ImageInfo(
        format="jpeg",
        content_type="image/jpeg",
        width=400,
        height=300,
        size=path.stat().st_size,
    )


def test_it_accepts_a_png_cover_whatever_its_name(tmp_path):
    info = probe_cover_image(make_image(tmp_path / "cover.jpg", 300, 500, "PNG"))

    assert (info.format, info.content_type) == ("png", "image/png")


def test_it_refuses_a_cover_whose_short_side_is_299_pixels(tmp_path):
    message = refusal(probe_cover_image, make_image(tmp_path / "cover.jpg", 800, 299))

    assert "800x299" in message
    assert "at least 300 pixels" in message


def test_it_refuses_a_gif_cover(tmp_path):
    message = refusal(probe_cover_image, make_image(tmp_path / "cover.jpg", 400, 400, "GIF"))

    assert "GIF image" in message
    assert "JPEG or PNG" in message


def test_it_refuses_a_cover_over_10_mb(tmp_path):
    path = make_image(tmp_path / "cover.jpg", 400, 400)
    with path.open("r+b") as f:
        f.truncate(11 * MiB)  # a valid JPEG padded with zeros: only the size is wrong

    assert refusal(probe_cover_image, path) == "This image is 11 MB; the limit is 10 MB."


def test_it_refuses_a_text_file_renamed_jpg(tmp_path):
    path = tmp_path / "cover.jpg"
    path.write_text("not a picture at all\n" * 100)

    message = refusal(probe_cover_image, path)

    assert "not an image" in message
    assert "JPEG or PNG" in message


def test_it_refuses_a_truncated_jpeg(tmp_path):
    whole = make_image(tmp_path / "whole.jpg", 600, 600)
    path = truncated(whole, tmp_path / "cover.jpg", 0.5)

    assert "not readable" in refusal(probe_cover_image, path)


def test_it_refuses_a_truncated_png(tmp_path):
    whole = make_image(tmp_path / "whole.png", 600, 600, "PNG")
    path = truncated(whole, tmp_path / "cover.png", 0.5)

    assert "not readable" in refusal(probe_cover_image, path)


def test_it_refuses_a_cover_with_too_many_pixels_instead_of_decoding_it(tmp_path, monkeypatch):
    # Pillow's limit is ~89 Mpx; lowering it stands in for a real decompression bomb.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    path = make_image(tmp_path / "cover.png", 400, 400, "PNG")

    assert "too many pixels" in refusal(probe_cover_image, path)


def test_it_refuses_an_empty_cover(tmp_path):
    path = tmp_path / "cover.jpg"
    path.touch()

    assert refusal(probe_cover_image, path) == "The file is empty."


# ------------------------------------------------------------------------------------------
# Cover frames


def test_it_takes_a_cover_from_a_small_video_and_scales_it_up_to_300_pixels(clip, tmp_path):
    info = extract_cover(clip(3, size="160x90"), tmp_path / "cover.jpg")

    assert info.format == "jpeg"
    assert info.height == 300
    assert info.width == 534  # 160 x 300/90, rounded up: the aspect ratio is kept
    with Image.open(tmp_path / "cover.jpg") as image:
        assert image.format == "JPEG"
        assert image.mode == "RGB"


def test_it_takes_a_cover_from_a_square_video_quickly(clip, tmp_path):
    path = clip(3)

    started = time.perf_counter()
    info = extract_cover(path, tmp_path / "cover.jpg")
    elapsed = time.perf_counter() - started

    assert (info.width, info.height) == (320, 320)
    assert elapsed < 0.5  # milliseconds in practice; generous for a loaded CI machine


def test_it_takes_the_cover_from_about_half_a_second_in(clip, tmp_path):
    # testsrc draws a moving frame counter, so frames differ; the cover (a lossy JPEG) must
    # look like the first frame at or after 0.5 s (frame 13 at 25 fps), not like frame 0.
    path = clip(3)
    extract_cover(path, tmp_path / "cover.jpg")
    with av.open(str(path)) as container:
        frames = [f.to_image() for _, f in zip(range(14), container.decode(video=0), strict=False)]

    with Image.open(tmp_path / "cover.jpg") as cover:
        cover = cover.convert("RGB")
        assert difference(cover, frames[13]) < difference(cover, frames[0])
        assert difference(cover, frames[13]) < difference(cover, frames[12])


def difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def test_it_turns_the_cover_of_a_phone_rotated_video_upright(clip, tmp_path):
    info = extract_cover(clip(3, size="320x180", rotation=90), tmp_path / "cover.jpg")

    assert info.width < info.height


def test_it_refuses_to_take_a_cover_from_an_audio_file(clip, tmp_path):
    with pytest.raises(MediaError, match="upload a cover image"):
        extract_cover(clip(3, video=False, audio=True), tmp_path / "cover.jpg")
