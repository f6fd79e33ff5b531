"""What the batch page's polled fragment shows: every task of the batch, its counts by state and
how far the run has come, from ONE query whatever the batch size.

Read every 2 s by everyone watching a run, so it reads only the columns it shows, as tuples,
and builds the rows by formatting escaped values (as the history's rows do), not a template
loop: a batch of 200 renders in about the time of a batch of 5.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from django.db.models import Count, Max, Sum
from django.utils.safestring import SafeString, mark_safe

from motionhub.archive.links import (
    RESULT_FIELDS,
    cover_src,
    kept_url_pattern,
    result_annotations,
    result_links,
)
from motionhub.core.addresses import fixed
from motionhub.core.kept import Kept
from motionhub.core.prepared import Prepared
from motionhub.tasks.models import FINAL, RETRYABLE, SETTLED, MotionTask, State

_FIELDS = ("id", "name", "state", "cover", "account_id", "account__label", "account__email",
           "retried", "updated_at")  # fmt: skip
# A success's result (its kept video and cover, else upstream's) rides along: archive/links.py.
_ROWS = Prepared(
    lambda batch_id: (
        MotionTask.objects.filter(batch_id=batch_id)
        .annotate(**result_annotations())
        .order_by("created_at", "id")
        .values_list(*_FIELDS, *RESULT_FIELDS)
    )
)
_COVERS = MotionTask._meta.get_field("cover").storage
_SETTLED = frozenset(SETTLED)
_LABELS = dict(State.choices)
_BADGES = {value: f'<span class="badge {value}" data-state="{value}">{escape(label)}</span>'
           for value, label in State.choices}  # fmt: skip
# One row: id, state, thumbnail, tasks prefix, id, name, account, badge, retried mark.
_ROW = (
    '<tr id="task-{}" data-state="{}"><td>{}</td>'
    '<td><a href="{}{}/">{}</a></td><td>{}</td><td>{}{}</td><td>{}</td></tr>\n'
)
_THUMB = '<img class="thumb" src="{}{}" alt="" loading="lazy">'
_RETRIED = ' <span class="muted small">retried</span>'
_AUTOMATIC = '<span class="muted">automatic</span>'


@dataclass
class Board:
    version: str  # changes whenever what the board shows may have changed
    rows: SafeString
    total: int
    counts: list[tuple[str, str, int]]  # (state, label, count), in the states' own order
    settled: int
    to_retry: int  # failed or rejected, not retried yet
    needs_attention: int
    queued: int

    @property
    def keeps_polling(self) -> bool:
        return self.settled < self.total

    @property
    def final(self) -> int:
        return sum(n for state, _, n in self.counts if state in FINAL)


def board(batch_id: int) -> Board:
    rows = _ROWS.rows(batch_id)
    prefix = escape(fixed("tasks:history"))
    # Stored names are ours (generated, URL-safe): the storage's base URL, computed once, and
    # the quoted name make the same address as storage.url() per row, at a fraction of its cost.
    media = escape(_COVERS.url(""))
    kept_url = kept_url_pattern()
    accounts: dict[int | None, str] = {None: _AUTOMATIC}
    counts: Counter[str] = Counter()
    to_retry = attention = 0
    out = []
    latest, accounts_sum, kept = None, 0, 0
    for pk, name, state, cover, account_id, label, email, retried, updated, *result in rows:
        counts[state] += 1
        kept += (result[0] is not None) + (result[1] is not None)
        if latest is None or updated > latest:
            latest = updated
        accounts_sum += account_id or 0
        if state in RETRYABLE and not retried:
            if state == State.NEEDS_ATTENTION:
                attention += 1
            else:
                to_retry += 1
        account = accounts.get(account_id)
        if account is None:
            account = accounts[account_id] = escape(label or email)
        badge = _BADGES.get(state)
        if badge is None:  # a state this code does not know: shown as it is, escaped
            badge = state = escape(state)
        links = ""
        if state == State.SUCCEEDED:
            # The result's cover (kept, else upstream's while nothing is kept) over the input's.
            made = cover_src(kept_url, result[1], result[3])
            thumb = _THUMB.format(made, "") if made else ""
            links = result_links(kept_url, *result)
        else:
            thumb = ""
        if not thumb and cover:
            thumb = _THUMB.format(media, escape(quote(cover)))
        out.append(
            _ROW.format(pk, state, thumb, prefix, pk, escape(name), account, badge,
                        _RETRIED if retried else "", links)
        )  # fmt: skip
    return Board(
        version=_version(len(rows), latest, accounts_sum, kept),
        rows=mark_safe("".join(out)),  # noqa: S308 - every value above is escaped or ours
        total=len(rows),
        counts=[(s, _LABELS[s], counts[s]) for s in State.values if counts[s]],
        settled=sum(n for state, n in counts.items() if state in _SETTLED),
        to_retry=to_retry,
        needs_attention=attention,
        queued=counts[State.QUEUED],
    )


# The last board built for each batch, by the version it was built at: everyone watching a run
# gets it from here until the version moves (one small query instead of reading and
# formatting every row; `make bench`, batch_poll_vs_bare and batch_poll_changed_vs_bare).
_LAST = Kept(256)


def current(batch_id: int, known_version: str | None = None) -> Board:
    """The board as it is now: the kept one while `known_version` (just read with `version`)
    is still the one it was built at, else built again and kept."""
    kept = _LAST.get(batch_id)
    if kept is not None and known_version is not None and kept.version == known_version:
        return kept
    return _LAST.keep(batch_id, board(batch_id))


def forget() -> None:
    """Drop the kept boards (the bench measures a poll right after a change with it)."""
    _LAST.clear()


def _version(count: int, latest, accounts_sum: int | None, kept: int | None) -> str:
    # What the board shows changes with a task's updated_at (state changes, claims), the number
    # of tasks (a retry joins the batch), or an account (moving a queued task to another
    # account or to automatic keeps updated_at, so the sum of the account ids is in too), or
    # the kept files (archiving a result, or retention removing it, leaves the task as it was).
    moment = int(latest.timestamp() * 1_000_000) if latest else 0
    return f"{count}.{moment}.{accounts_sum or 0}.{kept or 0}"


_VERSION = Prepared(
    lambda batch_id: (
        MotionTask.objects.filter(batch_id=batch_id)
        .order_by()
        .values("batch_id")
        .annotate(
            n=Count("id"),
            latest=Max("updated_at"),
            accounts=Sum("account_id"),
            kept=Count("archive__video_file_id") + Count("archive__cover_file_id"),
        )
        .values_list("n", "latest", "accounts", "kept")
    )
)


def version(batch_id: int) -> str:
    """The board's version, in one small aggregate query: an open page that already shows it
    is answered "no change" without reading or rendering the rows."""
    found = _VERSION.rows(batch_id)
    return _version(*found[0]) if found else _version(0, None, None, None)
