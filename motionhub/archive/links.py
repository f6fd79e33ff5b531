"""Links to a task's result on list pages (history, batches): the kept copy first.

`result_annotations()` adds to a task query the ids of its kept video and cover (one join of
its archive row: TaskArchive.video_file, cover_file) and upstream's URLs; `result_links` turns
them into links: the kept files, served behind login by the archive view, and upstream's URLs,
marked as such, only while nothing is kept (they expire). Both run per row of pages of 50
(history) and 200 (a batch's board, polled): no query, no URL parse in the common case.
"""

from __future__ import annotations

from html import escape

from django.db.models import Case, F, TextField, Value, When
from django.db.models.fields.json import KT

from motionhub.archive.models import ArchiveState
from motionhub.core.addresses import fixed
from motionhub.useapi.links import http_url


def result_annotations() -> dict:
    # Upstream's two URLs are read out of the JSON only while no video is kept (CASE evaluates
    # lazily), each by the database (a JSON path), so no row's JSON is parsed here: parsing
    # the whole result per row was most of what these columns cost (`make bench`).
    # Nor once retention removed the kept copy: upstream's links are long dead by then.
    expired = When(archive__state=ArchiveState.EXPIRED, then=Value(_GONE))
    nothing_kept = {"archive__video_file_id__isnull": True}
    return {
        "kept_video": F("archive__video_file_id"),
        "kept_cover": F("archive__cover_file_id"),
        "upstream_video": Case(
            expired, When(**nothing_kept, then=KT("upstream__result__video_url")),
            output_field=TextField(),
        ),
        "upstream_cover": Case(
            expired, When(**nothing_kept, then=KT("upstream__result__cover_url")),
            output_field=TextField(),
        ),
    }  # fmt: skip


RESULT_FIELDS = ("kept_video", "kept_cover", "upstream_video", "upstream_cover")
_GONE = "expired"  # what both upstream columns say once retention removed the kept copy
_EXPIRED = '<span class="muted">no longer kept</span>'
# Said after each link to upstream's copy: it is not ours, and it expires.
_UPSTREAM = ' <span class="muted">(upstream)</span>'


def kept_url_pattern() -> str:
    """A kept file's address with `{}` for its id: one reverse() per page, not per row."""
    return escape(fixed("archive:file", 0)).replace("/0/", "/{}/")


def _http(value) -> str:
    # Text that starts "https://" or "http://" has that scheme: no parse needed. Anything else
    # (another case, a stray space, another scheme) gets the one check, http_url.
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return http_url(value)


def cover_src(kept_url: str, kept_cover, upstream_cover) -> str:
    if kept_cover:
        return kept_url.format(kept_cover)
    return "" if upstream_cover == _GONE else escape(_http(upstream_cover))


def result_links(kept_url: str, kept_video, kept_cover, upstream_video, upstream_cover) -> str:
    if upstream_video == _GONE:
        return _EXPIRED
    video, cover = _http(upstream_video), _http(upstream_cover)
    links = []
    if kept_video:
        links.append(f'<a class="kept" href="{kept_url.format(kept_video)}">video</a>')
    elif video:
        links.append(f'<a class="upstream" href="{escape(video)}" rel="noreferrer">video</a>'
                     + _UPSTREAM)  # fmt: skip
    if kept_cover:
        links.append(f'<a class="kept" href="{kept_url.format(kept_cover)}">cover</a>')
    elif cover:
        links.append(f'<a class="upstream" href="{escape(cover)}" rel="noreferrer">cover</a>'
                     + _UPSTREAM)  # fmt: skip
    return " ".join(links)
