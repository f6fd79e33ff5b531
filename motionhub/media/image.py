"""The cover image check: a JPEG or PNG, at most 10 MB, at least 300 px on its short side."""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from motionhub.media.errors import MediaError, MiB, file_size, megabytes

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * MiB
MIN_IMAGE_SHORT_SIDE = 300

_IMAGE_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "jpeg" or "png"
    content_type: str
    width: int
    height: int
    size: int  # bytes


def probe_cover_image(path: str | os.PathLike[str]) -> ImageInfo:
    """Check an uploaded cover image and describe it, or raise `MediaError`.

    Accepted: JPEG or PNG by content (never by name), fully decodable, at most 10 MB, with
    the short side at least 300 px (upstream refuses smaller).
    """
    path = Path(path)
    size = file_size(path)
    if size == 0:
        raise MediaError("The file is empty.")
    if size > MAX_IMAGE_BYTES:
        raise MediaError(
            f"This image is {megabytes(size)}; the limit is {MAX_IMAGE_BYTES // MiB} MB."
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns about decompression bombs below 2x its pixel limit; a cover
            # has no business being that large, so refuse instead of allocating it.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:  # reads the header only
                image_format, width, height = image.format, image.width, image.height
                if image_format not in _IMAGE_CONTENT_TYPES:
                    kind = f"a {image_format} image" if image_format else "an unknown image"
                    raise MediaError(f"This file is {kind}; upload a JPEG or PNG image.")
                if min(width, height) < MIN_IMAGE_SHORT_SIDE:
                    raise MediaError(
                        f"This image is {width}x{height} pixels; its shorter side must be at "
                        f"least {MIN_IMAGE_SHORT_SIDE} pixels."
                    )
                image.verify()  # structure and checksums (PNG); leaves the image unusable
            with Image.open(path) as image:
                image.load()  # the pixels themselves: catches a file cut short
    except MediaError:
        raise
    except UnidentifiedImageError as exc:
        raise MediaError("This file is not an image; upload a JPEG or PNG image.") from exc
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise MediaError(
            "This image has too many pixels to process; upload a smaller one."
        ) from exc
    except Exception as exc:  # OSError "truncated", SyntaxError from PNG chunks, ...
        log.info("unreadable image %s: %s: %s", path.name, type(exc).__name__, exc)
        raise MediaError(
            "This image is not readable (it may be truncated or damaged); "
            "upload a JPEG or PNG image."
        ) from exc
    return ImageInfo(
        format=image_format.lower(),
        content_type=_IMAGE_CONTENT_TYPES[image_format],
        width=width,
        height=height,
        size=size,
    )
