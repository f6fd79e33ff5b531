"""Links to a task's result on list pages (history, batches): the kept copy first.

`result_annotations()` adds to a task query the ids of its kept video and cover (one join of
its archive row: TaskArchive.video_file, cover_file) and upstream's URLs; `result_links` turns
them into links: the kept files, served behind login by the archive view, and upstream's URLs,
marked as such, only while nothing is kept (they expire). Both run per row of pages of 50
(history) and 200 (a batch's board, polled): no query, no URL parse in the common case.
"""

from __future__ import annotations

import json
from html import escape

from django.db.models import Case, F, TextField, Value, When
from django.db.models.fields.json import KT

from motionhub.archive.models import ArchiveState
from motionhub.core.addresses import fixed
from motionhub.useapi.links import http_url


def result_annotations() -> dict:
    # Upstream's result is read out of the JSON only while no video is kept (CASE evaluates
    # lazily), and once (its small "result" object, parsed here only for those rows): the
    # extraction is most of what these columns cost.
    # Nor once retention removed the kept copy: upstream's links are long dead by then.
    return {
        "kept_video": F("archive__video_file_id"),
        "kept_cover": F("archive__cover_file_id"),
        "upstream_result": Case(
            When(archive__state=ArchiveState.EXPIRED, then=Value("expired")),
            When(archive__video_file_id__isnull=True, then=KT("upstream__result")),
            output_field=TextField(),
        ),
    }


RESULT_FIELDS = ("kept_video", "kept_cover", "upstream_result")
_EXPIRED = '<span class="muted">no longer kept</span>'
# Said after each link to upstream's copy: it is not ours, and it expires.
_UPSTREAM = ' <span class="muted">(upstream)</span>'


def _upstream(result) -> tuple[str, str]:
    """(video URL, cover URL) of an upstream result as the database gave it: JSON text, or
    already a dict (a backend that decodes it)."""
    if not result or result == "expired":
        return "", ""
    if isinstance(result, str):
        try:
            result = json.loads(result)
        except ValueError:
            return "", ""
    if not isinstance(result, dict):
        return "", ""
    return _http(result.get("video_url")), _http(result.get("cover_url"))


def kept_url_pattern() -> str:
    """A kept file's address with `{}` for its id: one reverse() per page, not per row."""
    return escape(fixed("archive:file", 0)).replace("/0/", "/{}/")


def _http(value) -> str:
    # Text that starts "https://" or "http://" has that scheme: no parse needed. Anything else
    # (another case, a stray space, another scheme) gets the one check, http_url.
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return http_url(value)


def cover_src(kept_url: str, kept_cover, upstream_result) -> str:
    if kept_cover:
        return kept_url.format(kept_cover)
    return escape(_upstream(upstream_result)[1])


def result_links(kept_url: str, kept_video, kept_cover, upstream_result) -> str:
    if upstream_result == "expired":
        return _EXPIRED
    video, cover = ("", "") if kept_video and kept_cover else _upstream(upstream_result)
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
