"""Did the create call make a task upstream? The rule, and the look-up that answers it.

A create call spends credits, and useapi has no idempotency key: sending it again after it
arrived makes a second paid job. So only a clear refusal counts as "nothing was created"
(`created_nothing`); after anything else the task is looked up before it is ever sent again:

    create call failed, not a clear refusal: it may exist upstream
        │
        ▼
    look it up ── GET /scheduler: a running job carrying our signed replyRef
        │         GET /tasks?createdAfter=…: a task made from our uploaded asset (input URL)
        │         GET /videos/motions?mine=true: a motion with our video (motion uploads)
        ├─ found ─────────────────────────────► submitted (tracked; never sent again)
        ├─ not found, every look-up answered ──► queued: a checked resend (a bounded attempt)
        └─ a look-up failed ───────────────────► stays submitting, looked up again by the
                                                 heartbeat's sweep; after
                                                 MOTIONHUB_RECONCILE_SECONDS ► needs_attention

The same look-up serves a worker that died mid-call (the job presented again, or the sweep
finding the task stranded in `submitting`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from motionhub.tasks import callbacks, timeline, wake
from motionhub.tasks.backoff import back_off
from motionhub.tasks.models import Kind, MotionTask, State, TaskEvent
from motionhub.useapi import BadResponse, Moderation, UpstreamTrouble, UseapiError

log = logging.getLogger(__name__)

WORKER = TaskEvent.Source.WORKER
# Answers that say the upstream refused the call, so it created nothing. 596 is useapi's "the
# Kling account's session is broken": the call never reached Kling (reference §8).
REFUSED = frozenset({400, 401, 402, 404, 429, 596})
_UNAVAILABLE = re.compile(r"unavailable", re.IGNORECASE)
# Kling's clock is not ours: look a little before the call was sent.
CLOCK_MARGIN = timedelta(minutes=5)
PAGE_SIZE = 100
MAX_PAGES = 5
DIED_MID_CALL = "A worker stopped after sending the create call and before recording the answer."


def created_nothing(exc: UseapiError) -> bool:
    """The create-call rule: True only when the upstream clearly made no task.

    That is an error raised before the request was sent (connect refused), a refusal (400, 401,
    402, 404, 429, 596), a moderation rejection (a 500 with Kling's guideline text) and a 503 that
    says the service is unavailable. Anything else after sending — a timeout, a reset, another
    5xx (a gateway's 502 or 504 too), a 2xx without a task id — may have made one.
    """
    if not exc.request_sent or isinstance(exc, Moderation) or exc.status in REFUSED:
        return True
    return exc.status == 503 and bool(_UNAVAILABLE.search(exc.upstream_error or str(exc)))


def record_sent(task: MotionTask, input_url: str) -> dict:
    """What the look-up needs, stored as the task moves to `submitting` (before the call)."""
    return {
        "sent_at": _ms(timezone.now()),
        "email": task.account.email,
        "input_url": input_url,
        "checks": 0,
    }


def lost_answer(task_id: int, exc: UseapiError) -> None:
    """The create call failed in a way that may have created the task: find out."""
    task = _submitting(task_id)
    if task is None:
        return
    call = {**_create_call(task), "error": str(exc), "category": exc.category}
    MotionTask.objects.filter(pk=task_id, state=State.SUBMITTING).update(
        upstream={**task.upstream, "create_call": call}
    )
    task.upstream = {**task.upstream, "create_call": call}
    _settle(task)


def run(task_id: int) -> None:
    """Look up a task left in `submitting` (a dead worker, or a look-up due again)."""
    task = _submitting(task_id)
    if task is not None:
        _settle(task)


# -- the look-up --------------------------------------------------------------------------------


@dataclass
class Lookup:
    task_id: int | None = None
    where: str = ""  # the listing that showed it
    checked: list[str] = field(default_factory=list)  # listings read, without it
    failed: list[str] = field(default_factory=list)  # listings that could not be read, and why


def look_up(task: MotionTask) -> Lookup:
    """Search the upstream listings for the task; stops at the first that shows it."""
    client = task.account.connection.client()
    call = _create_call(task)
    email, url = call["email"], call["input_url"]
    ours = (task.pk, task.reply_nonce)
    since = _ms(_from_ms(call["sent_at"]) - CLOCK_MARGIN)
    steps = [
        ("the running jobs (GET /scheduler)", lambda: _in_scheduler(client, ours)),
        (
            f"the account's tasks since {_from_ms(since):%H:%M:%S} UTC (GET /tasks)",
            lambda: _in_tasks(client, email, since, url),
        ),
    ]
    if task.kind == Kind.MOTION_UPLOAD:
        steps.append(
            (
                "the account's motions (GET /videos/motions?mine=true)",
                lambda: _in_motions(client, email, url),
            )
        )
    found = Lookup()
    if not url:  # nothing to match the listings against: they cannot say "not there"
        found.failed.append("the task's input URL (none was recorded)")
        steps = steps[:1]
    for name, step in steps:
        try:
            task_id = _read(step)
        except UseapiError as exc:
            found.failed.append(f"{name}: {exc}")
            continue
        if task_id:
            found.task_id, found.where = task_id, name
            return found
        found.checked.append(name)
    return found


def _read(step):
    """A listing, read once more at once after a transient failure: these reads spend nothing,
    and one stray 5xx should not keep a task waiting."""
    try:
        return step()
    except UseapiError as exc:
        if not exc.transient:
            raise
    return step()


def _in_scheduler(client, ours: tuple[int, str]) -> int | None:
    try:
        jobs = client.scheduler()
    except UseapiError:
        jobs = client.scheduler_available().executing  # the same items, another page
    # Compared by what the reference says, not as text: a signed reference carries the time it
    # was made, so one made now never equals the one the create call sent.
    return next(
        (j.task_id for j in jobs if j.task_id and j.reply_ref and _says(j.reply_ref) == ours),
        None,
    )


def _says(ref: str) -> tuple[int, str] | None:
    return callbacks.read_ref(ref)


def _in_tasks(client, email: str, since: int, url: str) -> int | None:
    """Page forward through the account's tasks created after `since` (epoch ms)."""
    after = since
    for _ in range(MAX_PAGES):
        page = client.list_tasks(email=email, created_after=after, page_size=PAGE_SIZE)
        hit = next(
            (t.task_id for t in page if t.task_id and any(_same(u, url) for u in t.input_urls)),
            None,
        )
        if hit or len(page) < PAGE_SIZE:
            return hit
        newest = max((_ms(t.created_at) for t in page if t.created_at), default=after)
        if newest <= after:
            break  # no way forward: the page cannot be told apart from the next
        after = newest - 1  # tasks created in the same millisecond are read again, not skipped
    # More tasks than MotionHub reads: it cannot tell, which is not "not there".
    raise BadResponse("The account's task list was longer than MotionHub reads through.")


def _in_motions(client, email: str, url: str) -> int | None:
    motions = client.list_motions(email=email, mine=True, page_size=PAGE_SIZE)
    return next((m.task_id for m in motions if m.task_id and _same(m.video_url, url)), None)


def _same(a: str | None, b: str | None) -> bool:
    """The same file: scheme, host and path (a CDN may sign its URLs with changing queries)."""
    if not a or not b:
        return False

    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        return parts.scheme.lower(), parts.netloc.lower(), parts.path

    return key(a) == key(b)


# -- acting on it -------------------------------------------------------------------------------


def _settle(task: MotionTask) -> None:
    found = look_up(task)
    if found.task_id:
        _track(task, found)
        return
    call = _create_call(task)
    age = (timezone.now() - _from_ms(call["sent_at"])).total_seconds()
    if not found.failed and age >= settings.MOTIONHUB_RECONCILE_SETTLE_SECONDS:
        _resend(task, found)
    elif found.failed and age >= settings.MOTIONHUB_RECONCILE_SECONDS:
        _give_up(task, found, age)
    else:
        _wait(task, found, settle_in=settings.MOTIONHUB_RECONCILE_SETTLE_SECONDS - age)


def _claim(task: MotionTask) -> dict:
    """The claim this look-up was made for: a decision never lands on a task claimed again
    meanwhile (a checked resend already under way would otherwise be moved back)."""
    return {"claimed_at": task.claimed_at, "account_id": task.account_id}


def _track(task: MotionTask, found: Lookup) -> None:
    now = timezone.now()
    timeline.move(
        task.pk, [State.SUBMITTING], State.SUBMITTED, source=WORKER, only_if=_claim(task),
        detail=f"{_cause(task)} Upstream task {found.task_id} was found among {found.where}, "
        "so the create call was not sent again.",
        upstream_task_id=found.task_id, upstream_status="submitted", submitted_at=now,
        not_before=None, error_category="", error_message="",
        next_poll_at=now + timedelta(seconds=settings.MOTIONHUB_POLL_SECONDS),
    )  # fmt: skip
    wake.heartbeat_soon()


def _resend(task: MotionTask, found: Lookup) -> None:
    """Every listing answered and none shows the task: the call never arrived upstream."""
    call = _create_call(task)
    checked = f"Checked {_listing(found.checked)}: the create call never arrived upstream."
    cause = UpstreamTrouble(call.get("error") or DIED_MID_CALL)
    back_off(task, cause, State.SUBMITTING, checked=checked, only_if=_claim(task))


def _wait(task: MotionTask, found: Lookup, *, settle_in: float) -> None:
    """The upstream could not be read (or not found yet, too soon to trust): look again later."""
    call = _create_call(task)
    checks = call.get("checks", 0) + 1
    if found.failed:
        delay = min(max(settings.MOTIONHUB_POLL_SECONDS, 1.0) * 2 ** (checks - 1), 120.0)
        why = f"Could not read {_listing(found.failed)}."
    else:
        delay = max(settle_in, 1.0)
        why = "Not found upstream yet; looking again before it is sent again."
    message = f"{_cause(task)} {why}"
    MotionTask.objects.filter(pk=task.pk, state=State.SUBMITTING, **_claim(task)).update(
        upstream={**task.upstream, "create_call": {**call, "checks": checks}},
        not_before=timezone.now() + timedelta(seconds=delay),
        error_category=call.get("category", "interrupted"),
        error_message=message,
    )
    if checks == 1:  # one timeline row, not one per look-up
        timeline.note(task.pk, source=WORKER, state=State.SUBMITTING,
                      detail=f"{message} The create call was not resent.")  # fmt: skip
    wake.heartbeat_soon()


def _give_up(task: MotionTask, found: Lookup, age: float) -> None:
    read = f" Read without finding it: {_listing(found.checked)}." if found.checked else ""
    message = (
        f"{_cause(task)} For {age / 60:.0f} min MotionHub could not read "
        f"{_listing(found.failed)}.{read} The create call was not resent, to avoid spending "
        "credits twice. Check the account's tasks on Kling; retry only if it is not there."
    )
    call = _create_call(task)
    timeline.move(task.pk, [State.SUBMITTING], State.NEEDS_ATTENTION, source=WORKER,
                  detail=message, not_before=None, only_if=_claim(task),
                  error_category=call.get("category", "interrupted"),
                  error_message=message)  # fmt: skip


# -- helpers ------------------------------------------------------------------------------------


def _submitting(task_id: int) -> MotionTask | None:
    task = (
        MotionTask.objects.select_related("account__connection")
        .filter(pk=task_id, state=State.SUBMITTING)
        .first()
    )
    return task if task is not None and task.account is not None else None


def _create_call(task: MotionTask) -> dict:
    """The record `record_sent` made; rebuilt for a task sent before it existed."""
    call = task.upstream.get("create_call")
    if call:
        return call
    assets = task.upstream.get("assets", {})
    if task.kind == Kind.MOTION_UPLOAD:
        video = assets.get("video", {})
        url = video.get("resourceUrl") or video.get("url") or ""
    else:
        url = assets.get("image", {}).get("url") or ""
    return {"sent_at": _ms(task.updated_at), "email": task.account.email, "input_url": url}


def _cause(task: MotionTask) -> str:
    return _create_call(task).get("error") or DIED_MID_CALL


def _listing(names: list[str]) -> str:
    return "; ".join(names) or "nothing"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)
