"""A cover picture taken from the motion video, when the person gave none."""

from __future__ import annotations

import logging
import math
import os
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from motionhub.media.errors import MediaError
from motionhub.media.image import MIN_IMAGE_SHORT_SIDE, ImageInfo, probe_cover_image
from motionhub.media.video import duration_s, video_stream

log = logging.getLogger(__name__)

COVER_AT_S = 0.5
COVER_JPEG_QUALITY = 90

_NO_COVER = "A cover picture could not be taken from this video; upload a cover image."


def extract_cover(
    video_path: str | os.PathLike[str], dest_path: str | os.PathLike[str]
) -> ImageInfo:
    """Write a JPEG cover taken from the video (the first frame at or after ~0.5 s).

    The frame is turned upright as the video is displayed, and scaled up when needed so its
    short side is at least 300 px, since upstream refuses smaller covers.
    """
    video_path, dest_path = Path(video_path), Path(dest_path)
    try:
        frame = _representative_frame(video_path)
        if frame is None:
            raise MediaError(_NO_COVER)
        image = frame.to_image()  # RGB24
        image = _upright(image, frame.rotation)
        short = min(image.width, image.height)
        if short < MIN_IMAGE_SHORT_SIDE:
            scale = MIN_IMAGE_SHORT_SIDE / short
            # ceil so rounding can never leave the short side at 299.
            size = (math.ceil(image.width * scale), math.ceil(image.height * scale))
            image = image.resize(size, Image.Resampling.BICUBIC)
        image.convert("RGB").save(dest_path, "JPEG", quality=COVER_JPEG_QUALITY)
    except MediaError:
        raise
    except Exception as exc:
        log.info("no cover from %s: %s: %s", video_path.name, type(exc).__name__, exc)
        raise MediaError(_NO_COVER) from exc
    return probe_cover_image(dest_path)


def _representative_frame(path: Path) -> av.VideoFrame | None:
    with av.open(str(path), options={"protocol_whitelist": "file"}) as container:
        stream = video_stream(container)
        if stream is None:
            return None
        stream.thread_type = "AUTO"
        time_base = stream.time_base or Fraction(1, 1)
        duration = duration_s(container, stream, None) or 0.0
        target_s = COVER_AT_S if duration > COVER_AT_S else 0.0
        target_pts = int(target_s / time_base) + (stream.start_time or 0)
        if target_s:
            # Seeking lands on the keyframe at or before the target; decode forward from there.
            container.seek(target_pts, stream=stream, backward=True)
        last = None
        for frame in container.decode(stream):
            last = frame
            if frame.pts is None or frame.pts >= target_pts:
                return frame
        return last  # a video that ends before the target: its last frame will do


def _upright(image: Image.Image, rotation: int) -> Image.Image:
    # VideoFrame.rotation is the counter-clockwise turn the display matrix asks for.
    turns = {
        90: Image.Transpose.ROTATE_90,
        -90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        -180: Image.Transpose.ROTATE_180,
    }
    return image.transpose(turns[rotation]) if rotation in turns else image
