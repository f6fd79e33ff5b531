"""What the library page shows, read from the cache in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from motionhub.accounts.models import KlingAccount
from motionhub.archive.models import FileKind, KeptFile
from motionhub.library.models import LibrarySync, Motion, MotionDeletion, Origin

if TYPE_CHECKING:
    from collections.abc import Sequence

PAGE_SIZE = 48


@dataclass
class AccountStatus:
    account: KlingAccount
    sync: LibrarySync | None

    @property
    def in_progress(self) -> bool:
        return bool(self.sync and self.sync.in_progress)


@dataclass
class Library:
    accounts: list[KlingAccount]
    selected: KlingAccount | None
    tab: str
    tag: str
    page: int
    motions: list[Motion] = field(default_factory=list)
    has_next: bool = False
    tags: list[str] = field(default_factory=list)
    statuses: list[AccountStatus] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)  # motion ids with a deletion under way

    @property
    def refreshing(self) -> bool:
        return any(s.in_progress for s in self.statuses)

    @property
    def failures(self) -> list[AccountStatus]:
        return [s for s in self.statuses if s.sync and s.sync.last_error]

    # Tab counts come from the sync rows, so the page never runs COUNT(*) over the cache.
    @property
    def mine_count(self) -> int | None:
        syncs = [s.sync for s in self.statuses if s.sync]
        return sum(s.mine_count for s in syncs) if syncs else None

    @property
    def official_count(self) -> int | None:
        # Official lists repeat per account of a connection; count each connection's once.
        per_connection: dict[int, int] = {}
        for status in self.statuses:
            if status.sync:
                conn = status.account.connection_id
                per_connection[conn] = max(per_connection.get(conn, 0), status.sync.official_count)
        return sum(per_connection.values()) if per_connection else None


def sync_of(account: KlingAccount) -> LibrarySync | None:
    # A reverse one-to-one with no row raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(account, "library_sync", None)


def accounts() -> list[KlingAccount]:
    return list(
        KlingAccount.active.select_related("connection", "library_sync").order_by(
            "connection__name", "email"
        )
    )


def _official_sources(shown: Sequence[KlingAccount]) -> list[int]:
    """One account per connection, the one whose official list was read last: the lists are
    identical, so the all-accounts view shows each connection's once, not once per account."""
    chosen: dict[int, KlingAccount] = {}
    for account in shown:
        best = chosen.get(account.connection_id)
        if best is None or _official_read_at(account) > _official_read_at(best):
            chosen[account.connection_id] = account
    return [a.pk for a in chosen.values()]


def _official_read_at(account: KlingAccount) -> datetime:
    sync = sync_of(account)
    return (sync and sync.official_synced_at) or datetime.min.replace(tzinfo=UTC)


def build(values: dict[str, Any]) -> Library:
    everyone = accounts()
    selected = next((a for a in everyone if a.pk == values["account"]), None)
    shown = [selected] if selected else everyone
    library = Library(
        accounts=everyone,
        selected=selected,
        tab=values["tab"],
        tag=values["tag"],
        page=values["page"],
        statuses=[AccountStatus(a, sync_of(a)) for a in shown],
    )
    motions = Motion.objects.filter(kind=library.tab)
    if library.tab == Origin.OFFICIAL:
        sources = [selected.pk] if selected else _official_sources(shown)
        motions = motions.filter(account_id__in=sources)
        library.tags = list(
            motions.exclude(tag="").order_by("tag").values_list("tag", flat=True).distinct()
        )
        if library.tag:
            motions = motions.filter(tag=library.tag)
    else:
        motions = motions.filter(account_id__in=[a.pk for a in shown])
    start = (library.page - 1) * PAGE_SIZE
    # One row more than a page tells whether there is a next one, without COUNT(*).
    rows = list(
        motions.select_related("source_task__submitted_by").order_by(
            "account_id", "position", "id"
        )[start : start + PAGE_SIZE + 1]
    )
    library.has_next = len(rows) > PAGE_SIZE
    library.motions = rows[:PAGE_SIZE]
    by_id = {a.pk: a for a in everyone}
    for motion in library.motions:
        motion.account = by_id[motion.account_id]  # already loaded: no join, no extra query
    if library.tab == Origin.MINE:
        library.pending = attach_deletions(library.motions)
        attach_kept(library.motions)
    return library


KEPT_KINDS = (FileKind.COVER, FileKind.BVH, FileKind.BINARY)


def attach_kept(motions: Sequence[Motion]) -> None:
    """Give each motion made by one of our uploads that upload's kept files (`motion.kept`),
    in one query for the page, so the card shows the kept cover and archives."""
    task_ids = {m.source_task_id for m in motions if m.source_task_id}
    if not task_ids:
        return
    by_task: dict[int, dict[str, KeptFile]] = {}
    for kept in KeptFile.objects.filter(task_id__in=task_ids, kind__in=KEPT_KINDS):
        by_task.setdefault(kept.task_id, {})[kept.kind] = kept
    for motion in motions:
        motion.kept = by_task.get(motion.source_task_id, {})


def attach_deletions(motions: Sequence[Motion]) -> list[int]:
    """Give each motion its latest deletion (`motion.deletion`, or None); the ids of those
    whose deletion is still under way."""
    latest: dict[int, MotionDeletion] = {}
    if motions:
        for deletion in MotionDeletion.objects.filter(
            motion_ref__in=[m.pk for m in motions]
        ).order_by("requested_at", "id"):
            latest[deletion.motion_ref] = deletion
    for motion in motions:
        motion.deletion = latest.get(motion.pk)
    return [m.pk for m in motions if m.deletion and m.deletion.is_active]
