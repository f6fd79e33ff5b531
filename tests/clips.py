"""Tiny real media files for tests, made with the ffmpeg binary that imageio-ffmpeg ships.

Clips are small (a few tens of KB) and take well under a second each: testsrc at a small size,
libx264 ultrafast, and `-t` for an exact length.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
from PIL import Image

_FORMATS = {"mp4": "mp4", "mov": "mov", "mkv": "matroska"}


def ffmpeg(*args: str) -> None:
    """Run the bundled ffmpeg quietly; fail the test with ffmpeg's own words if it fails."""
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y", *args]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({result.returncode}): {result.stderr.strip()}")


def make_clip(
    path: str | Path,
    seconds: float,
    *,
    size: str = "320x320",
    fmt: str = "mp4",
    audio: bool = False,
    video: bool = True,
    rate: int = 25,
    faststart: bool = False,
    rotation: int = 0,
) -> Path:
    """Write a test clip of exactly `seconds` and return its path.

    fmt is "mp4", "mov" or "mkv" (the container is chosen with -f, whatever the file is
    called, so a Matroska file can be named .mp4). `faststart` puts the index first;
    `rotation` records a counter-clockwise display rotation like a phone does.
    """
    path = Path(path)
    if not (video or audio):
        raise ValueError("a clip needs video, audio or both")
    inputs: list[str] = []
    codecs: list[str] = []
    if video:
        inputs += ["-f", "lavfi", "-i", f"testsrc=duration={seconds}:size={size}:rate={rate}"]
        codecs += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    else:
        codecs += ["-vn"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
        codecs += ["-c:a", "aac"]
    flags = ["-movflags", "+faststart"] if faststart and fmt != "mkv" else []
    target = path.with_name(path.name + ".norot") if rotation else path
    ffmpeg(*inputs, *codecs, *flags, "-t", str(seconds), "-f", _FORMATS[fmt], str(target))
    if rotation:
        # Given to the encoder, -display_rotation rotates the pixels instead of tagging them;
        # a stream copy is what writes the display matrix, as a phone does.
        rotate = ["-display_rotation:v", str(rotation), "-i", str(target)]
        ffmpeg(*rotate, "-c", "copy", "-f", _FORMATS[fmt], str(path))
        target.unlink()
    return path


def make_image(path: str | Path, w: int, h: int, fmt: str = "JPEG") -> Path:
    """Write a wxh picture in a Pillow format ("JPEG", "PNG", "GIF", ...) and return its path."""
    path = Path(path)
    image = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    if fmt == "GIF":
        image = image.convert("P")
    image.save(path, fmt)
    return path
