"""Finding what a URL in a request refers to: an upload of the account, or an official motion.

Only the file name at the end of `…/files/<name>` counts, not the host, because web and worker
processes may know the sandbox under different host names; the names are unguessable.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db.models import Q

from motionhub.sandbox import catalogue
from motionhub.sandbox.models import Account, Asset


def file_name(url: str) -> str:
    _, sep, name = urlsplit(url).path.rpartition("/files/")
    return name if sep and "/" not in name else ""


def asset(account: Account, url: str, kind: str) -> Asset | None:
    """The account's upload of that kind behind `url`."""
    name = file_name(url)
    return account.assets.filter(file_name=name, kind=kind).first() if name else None


def cover(account: Account, url: str) -> str:
    """The file name behind a cover URL: a video's cover or an uploaded image ("" if neither)."""
    name = file_name(url)
    covers = account.assets.filter(Q(cover_name=name) | Q(file_name=name, kind="image"))
    return name if name and covers.exists() else ""


def official_video(url: str) -> catalogue.OfficialMotion | None:
    motion = catalogue.official_for_file(file_name(url))
    return motion if motion and file_name(url) == motion.video else None
