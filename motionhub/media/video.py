"""The motion video check: an mp4 or mov, 2 to 10 s long, measured from the file itself.

The file is read by path as a stream (never loaded whole into memory); every refusal is a
`MediaError` whose message tells a person what is wrong and what is accepted.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import av

from motionhub.media.errors import MediaError, MiB, file_size, megabytes

log = logging.getLogger(__name__)

MAX_VIDEO_BYTES = 100 * MiB
MIN_VIDEO_SECONDS = 2.0
MAX_VIDEO_SECONDS = 10.0
# Containers store durations in their own time bases, so a clip cut at exactly 10.0 s can
# read back a few hundredths off. 0.05 s keeps 10.0 in and 10.1 out (a 10.1 s clip at 25 fps
# reads 10.12, at 30 fps 10.10); refused values still round to a clearly wrong "1.9"/"10.1".
DURATION_TOLERANCE_S = 0.05

_NOT_READABLE = "This file is not a readable video (it may be truncated or damaged)."

# libavformat has one demuxer for the whole ISO-BMFF family and names it by all its members.
_MOV_FAMILY = frozenset({"mov", "mp4", "m4a", "3gp", "3g2", "mj2"})

_CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime"}
_IMAGE_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}

# What a person would call the formats people actually upload by mistake (PyAV's names).
_OTHER_CONTAINERS = {
    "avi": "an AVI (avi) video",
    "flv": "a Flash (flv) video",
    "mpegts": "an MPEG transport stream (ts) video",
    "mpeg": "an MPEG (mpg) video",
    "asf": "a Windows Media (wmv) file",
    "ogg": "an Ogg file",
    "gif": "a GIF image",
    "mp3": "an MP3 audio file",
    "wav": "a WAV audio file",
    "aac": "an AAC audio file",
    "flac": "a FLAC audio file",
}


@dataclass(frozen=True)
class VideoInfo:
    container: str  # "mp4" or "mov"
    content_type: str  # "video/mp4" or "video/quicktime"
    duration_s: float
    width: int  # as displayed, i.e. after the rotation phones record in the metadata
    height: int
    codec: str  # FFmpeg's decoder name, e.g. "h264", "hevc"
    size: int  # bytes


def probe_motion_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Check an uploaded motion video and describe it, or raise `MediaError`.

    Accepted: an mp4 or mov container (decided by content, never by the file name) holding a
    decodable video stream, 2.0 to 10.0 s long as measured from the file, at most 100 MB.
    """
    path = Path(path)
    size = file_size(path)
    if size == 0:
        raise MediaError("The file is empty.")
    if size > MAX_VIDEO_BYTES:
        # Refused before any parsing: no reason to let a demuxer walk a file we will not take.
        raise MediaError(
            f"This video is {megabytes(size)}; the limit is {MAX_VIDEO_BYTES // MiB} MB."
        )

    try:
        return _probe_opened_video(path, size)
    except MediaError:
        raise
    except Exception as exc:  # any PyAV/FFmpeg failure means the same thing to a person
        log.info("unreadable video %s: %s: %s", path.name, type(exc).__name__, exc)
        raise MediaError(_NOT_READABLE) from exc


def _probe_opened_video(path: Path, size: int) -> VideoInfo:
    # protocol_whitelist: the demuxer may only read local files, so a crafted upload (a playlist
    # pointing at URLs, say) cannot make the server fetch anything while being probed.
    with av.open(str(path), options={"protocol_whitelist": "file"}) as container:
        format_names = set(container.format.name.split(","))
        if not format_names & _MOV_FAMILY:
            raise MediaError(
                f"This file is {_describe_other_container(container, path)}; "
                "upload an mp4 or mov video."
            )
        # The one mov/mp4 demuxer says "mov,mp4,m4a,3gp,3g2,mj2" for both; the file's brand
        # tells them apart.
        kind = _mov_or_mp4(path)

        stream = video_stream(container)
        if stream is None:
            if container.streams.audio:
                raise MediaError("This file has no video stream (it looks like audio only).")
            # No streams at all: typically an index (moov) cut off in the middle.
            raise MediaError(_NOT_READABLE)

        first_frame, packets, corrupt, end_s = _walk_video_packets(container, stream)
        expected = stream.frames  # sample count from the index (0 when not indexed, e.g. fMP4)
        if corrupt or first_frame is None or (expected and packets < expected):
            # The index promises samples the file does not hold: it was cut short. A file
            # with its index (moov) at the end fails earlier, in av.open().
            raise MediaError(_NOT_READABLE)

        duration = duration_s(container, stream, end_s)
        if duration is None:
            raise MediaError(_NOT_READABLE)
        if not (
            MIN_VIDEO_SECONDS - DURATION_TOLERANCE_S
            <= duration
            <= MAX_VIDEO_SECONDS + DURATION_TOLERANCE_S
        ):
            raise MediaError(
                f"This video is {duration:.1f} s long; a motion video must be "
                f"{MIN_VIDEO_SECONDS:g} to {MAX_VIDEO_SECONDS:g} seconds."
            )

        width, height = first_frame.width, first_frame.height
        if first_frame.rotation in (90, -90):
            width, height = height, width
        return VideoInfo(
            container=kind,
            content_type=_CONTENT_TYPES[kind],
            duration_s=round(duration, 3),
            width=width,
            height=height,
            codec=stream.codec_context.name,
            size=size,
        )


def video_stream(container: av.container.InputContainer) -> av.VideoStream | None:
    for stream in container.streams.video:
        # An m4a's album art is a one-picture "video" stream: that is still an audio file.
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    return None


def _walk_video_packets(
    container: av.container.InputContainer, stream: av.VideoStream
) -> tuple[av.VideoFrame | None, int, bool, float | None]:
    """Demux every video packet once; decode only until the first frame comes out.

    Demuxing without decoding is cheap (it is file reading), and it is what catches a file cut
    short after a front-loaded index: the packets stop early or the last one is partial.
    Returns (first frame, packet count, any packet corrupt, end time of the last packet in s).
    """
    first_frame = None
    packets = 0
    corrupt = False
    end_pts: int | None = None
    for packet in container.demux(stream):
        if packet.size:  # PyAV ends each stream with an empty packet that only flushes
            packets += 1
            corrupt = corrupt or packet.is_corrupt
            if packet.pts is not None:
                end = packet.pts + (packet.duration or 0)
                end_pts = end if end_pts is None else max(end_pts, end)
        if first_frame is None:
            # The decoder may hold a few packets before the first frame (frame threading, B
            # frames); the final empty packet flushes it.
            frames = packet.decode()
            if frames:
                first_frame = frames[0]
    end_s = float(end_pts * stream.time_base) if end_pts is not None and stream.time_base else None
    return first_frame, packets, corrupt, end_s


def duration_s(
    container: av.container.InputContainer, stream: av.VideoStream, end_s: float | None
) -> float | None:
    # Container duration first (what players show), then the stream's own, then the end of
    # the last packet actually in the file (packet and frame timestamps are the same).
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return end_s


def _mov_or_mp4(path: Path) -> str:
    """'mov' for QuickTime files (major brand 'qt  ', or no ftyp at all), else 'mp4'."""
    with path.open("rb") as f:
        # ftyp is the first box of an ISO file; classic QuickTime files have none and start
        # with moov/mdat/wide/free, so look at the first few top-level boxes only.
        offset = 0
        for _ in range(4):
            f.seek(offset)
            header = f.read(16)
            if len(header) < 12:
                break
            box_size = int.from_bytes(header[:4], "big")
            box_type = header[4:8]
            if box_type == b"ftyp":
                return "mov" if header[8:12] == b"qt  " else "mp4"
            if box_size == 1 and len(header) == 16:  # a 64-bit size follows the type
                box_size = int.from_bytes(header[8:16], "big")
            if box_size < 8:  # 0 means "to the end of the file": nothing after it
                break
            offset += box_size
    return "mov"


def _describe_other_container(container: av.container.InputContainer, path: Path) -> str:
    name = container.format.name
    names = set(name.split(","))
    if "matroska" in names:
        with path.open("rb") as f:
            head = f.read(64)
        return "a WebM (webm) video" if b"webm" in head else "a Matroska (mkv) video"
    for key, description in _OTHER_CONTAINERS.items():
        if key in names:
            return description
    # FFmpeg opens single pictures as one-frame "videos" (jpeg_pipe, png_pipe, image2, ...).
    if name.endswith("_pipe") or name.startswith("image2"):
        return "an image, not a video"
    if container.streams.audio and not container.streams.video:
        return "an audio file"
    return f"a {container.format.long_name or name} file"
