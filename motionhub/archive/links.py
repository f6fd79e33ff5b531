"""Links to a task's result on list pages (history, batches): the kept copy first.

`RESULT_ANNOTATIONS` adds to a task query the ids of its kept video and cover (one indexed
look-up each, inside the page's one query) and upstream's URLs; `result_links` turns them into
links: the kept files, served behind login by the archive view, and upstream's URLs, marked as
such, only while nothing is kept (they expire).
"""

from __future__ import annotations

from html import escape

from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KT
from django.urls import reverse

from motionhub.archive.models import FileKind, KeptFile
from motionhub.useapi.links import http_url


def _kept(*kinds: str) -> Subquery:
    # clean_video sorts before video: the clean master is linked when both are kept.
    return Subquery(
        KeptFile.objects.filter(task=OuterRef("pk"), kind__in=kinds)
        .order_by("kind")
        .values("pk")[:1]
    )


def result_annotations() -> dict:
    return {
        "kept_video": _kept(FileKind.CLEAN_VIDEO, FileKind.VIDEO),
        "kept_cover": _kept(FileKind.COVER),
        "upstream_video": KT("upstream__result__video_url"),
        "upstream_cover": KT("upstream__result__cover_url"),
    }


RESULT_FIELDS = ("kept_video", "kept_cover", "upstream_video", "upstream_cover")


def kept_url_pattern() -> str:
    """A kept file's address with `{}` for its id: one reverse() per page, not per row."""
    return escape(reverse("archive:file", args=[0])).replace("/0/", "/{}/")


def cover_src(kept_url: str, kept_cover, upstream_cover) -> str:
    if kept_cover:
        return kept_url.format(kept_cover)
    return escape(http_url(upstream_cover))


def result_links(kept_url: str, kept_video, kept_cover, upstream_video, upstream_cover) -> str:
    links = []
    if kept_video:
        links.append(f'<a class="kept" href="{kept_url.format(kept_video)}">video</a>')
    elif video := http_url(upstream_video):
        links.append(f'<a class="upstream" href="{escape(video)}" rel="noreferrer">video</a>')
    if kept_cover:
        links.append(f'<a class="kept" href="{kept_url.format(kept_cover)}">cover</a>')
    elif cover := http_url(upstream_cover):
        links.append(f'<a class="upstream" href="{escape(cover)}" rel="noreferrer">cover</a>')
    if links and not (kept_video or kept_cover):
        links.append('<span class="muted">(upstream)</span>')
    return " ".join(links)
