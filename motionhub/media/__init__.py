"""Media checks: probing uploaded videos and images from the files themselves, and taking a
cover frame from a video.

Framework-free (PyAV and Pillow only, like healthchecks' `hc/lib`): it imports nothing of
MotionHub and nothing of Django, so forms, jobs and the gateway can all share one set of rules.
"""

from __future__ import annotations

from motionhub.media.cover import extract_cover
from motionhub.media.errors import MediaError
from motionhub.media.image import ImageInfo, probe_cover_image
from motionhub.media.video import VideoInfo, probe_motion_video

__all__ = [
    "ImageInfo",
    "MediaError",
    "VideoInfo",
    "extract_cover",
    "probe_cover_image",
    "probe_motion_video",
]
