"""Files: uploads streamed to disk, covers the sandbox makes, stock media it generates once.

Everything sits flat in MEDIA_ROOT/sandbox/ under names the sandbox chose, which is what makes
serving them by name safe.
"""

from __future__ import annotations

import logging
import math
import os
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import av
from django.conf import settings
from PIL import Image, ImageDraw

from motionhub.sandbox import catalogue

logger = logging.getLogger(__name__)
CHUNK = 256 * 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class Accepted:
    kind: str  # image | video | audio
    ext: str
    max_bytes: int


# POST /assets content types, in the order of the reference's error message.
ACCEPTED = {
    "image/png": Accepted("image", "png", 10 * MB),
    "image/jpeg": Accepted("image", "jpg", 10 * MB),
    "video/mp4": Accepted("video", "mp4", 100 * MB),
    "video/quicktime": Accepted("video", "mov", 100 * MB),
    "audio/wav": Accepted("audio", "wav", 20 * MB),
    "audio/wave": Accepted("audio", "wav", 20 * MB),
    "audio/mpeg": Accepted("audio", "mp3", 20 * MB),
    "audio/mp4": Accepted("audio", "m4a", 20 * MB),
    "audio/flac": Accepted("audio", "flac", 20 * MB),
    "audio/aac": Accepted("audio", "aac", 20 * MB),
    "audio/ogg": Accepted("audio", "ogg", 20 * MB),
}
VALID_VALUES = ",".join(ACCEPTED)
SERVED_AS = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "flac": "audio/flac",
    "aac": "audio/aac",
    "ogg": "audio/ogg",
    "zip": "application/zip",
}
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.([a-z0-9]{2,4})", re.ASCII)


@dataclass(frozen=True)
class Dims:
    width: int
    height: int
    duration_ms: int = 0
    has_audio: bool = False


class TooLarge(Exception):
    pass


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / "sandbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_name(ext: str) -> str:
    return f"{uuid.uuid4().hex}.{ext}"


def receive(read: Callable[[int], bytes], dest: Path, limit: int) -> int:
    """Copy a request body to `dest` chunk by chunk; TooLarge (and no file) past `limit`."""
    size = 0
    try:
        with dest.open("wb") as out:
            while chunk := read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge
                out.write(chunk)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return size


def drain(read: Callable[[int], bytes]) -> None:
    """Read and drop what is left of a request body, so the client sees our answer."""
    while read(CHUNK):
        pass


def _atomic_write(dest: Path, write: Callable[[Path], None]) -> None:
    # Several processes may generate the same stock file at once: each writes its own temporary
    # file and the rename makes one of them win whole.
    tmp = dest.with_name(f".{uuid.uuid4().hex}.part")
    try:
        write(tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def placeholder(text: str, size: tuple[int, int] = (320, 568), color=(60, 60, 70)) -> Image.Image:
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).text((16, size[1] // 2), text, fill=(240, 240, 240))
    return image


def image_dims(path: Path) -> Dims | None:
    try:
        with Image.open(path) as image:
            return Dims(*image.size)
    except Exception:  # any unreadable upload simply has no known size
        return None


def video_cover(path: Path, cover: Path) -> Dims | None:
    """Write a JPEG cover for the video (its first frame, else a placeholder); its dims if known."""
    dims, image = None, placeholder("video")
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            duration = (container.duration or 0) // 1000  # microseconds → ms
            dims = Dims(stream.width, stream.height, duration, bool(container.streams.audio))
            image = next(container.decode(stream)).to_image()
    except Exception as exc:  # arbitrary bytes may be uploaded as video/mp4
        logger.info("Sandbox: no frame from uploaded video %s (%s)", path.name, exc)
    image.convert("RGB").save(cover, "JPEG", quality=80)
    return dims


def encode_clip(dest: Path, *, seconds: float, color=(52, 101, 164), size=(288, 512)) -> None:
    """A small playable H.264 mp4 of a dot circling (stock motions; also used by tests)."""

    def write(tmp: Path) -> None:
        fps = 10
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            stream = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            for i in range(round(seconds * fps)):
                frame = Image.new("RGB", size, color)
                angle = 2 * math.pi * i / fps
                x = size[0] / 2 + size[0] / 4 * math.cos(angle)
                y = size[1] / 2 + size[0] / 4 * math.sin(angle)
                ImageDraw.Draw(frame).ellipse((x - 20, y - 20, x + 20, y + 20), fill="white")
                out.mux(stream.encode(av.VideoFrame.from_image(frame)))
            out.mux(stream.encode(None))

    _atomic_write(dest, write)


def _make_stock(name: str, dest: Path) -> bool:
    """Generate a stock file (official motion media, motion-capture zips) the first time."""
    motion = catalogue.official_for_file(name)
    if motion and name == motion.video:
        encode_clip(dest, seconds=catalogue.DURATION_MS / 1000, color=motion.color)
    elif motion:
        cover = placeholder(motion.name, (catalogue.WIDTH, catalogue.HEIGHT), motion.color)
        _atomic_write(dest, lambda tmp: cover.save(tmp, "JPEG", quality=80))
    elif name in (catalogue.BVH_ZIP, catalogue.BINARY_ZIP):
        inner = "motion.bvh" if name == catalogue.BVH_ZIP else "motion.bin"
        content = "HIERARCHY\nROOT Hips\n{\n}\nMOTION\nFrames: 0\n"

        def write(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w") as archive:
                archive.writestr(inner, content)

        _atomic_write(dest, write)
    else:
        return False
    return True


def path_of(name: str) -> Path | None:
    """The file a public name refers to, or None. Names never leave the sandbox folder."""
    if not _SAFE_NAME.fullmatch(name):
        return None
    path = folder() / name
    if path.is_file() or _make_stock(name, path):
        return path
    return None


def content_type_of(name: str) -> str:
    return SERVED_AS.get(name.rsplit(".", 1)[-1], "application/octet-stream")


def bundle(names: Iterable[str]) -> str:
    """One zip of the named files (made once per set of names); its public name."""
    names = sorted(set(names))
    dest = folder() / f"download-{uuid.uuid5(uuid.NAMESPACE_URL, '|'.join(names)).hex}.zip"
    if not dest.exists():

        def write(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w") as archive:
                for name in names:
                    if path := path_of(name):
                        archive.write(path, name)

        _atomic_write(dest, write)
    return dest.name
