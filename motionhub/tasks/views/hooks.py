"""The useapi callback receiver: no login, a signed reference instead.

It never trusts the body: a genuine callback only makes a worker re-read the task upstream
(`slots.confirm_callback`), and that reading is what gets recorded.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from motionhub.tasks import callbacks
from motionhub.tasks.models import TRACKED, MotionTask, TaskEvent

MAX_BODY = 1024 * 1024
# Re-reads the task and, if that ended it, hands its slot on in the same job (slots.py).
CONFIRM_JOB = "motionhub.tasks.slots.confirm_callback"


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


def _content_length(header: str | None) -> int | None:
    """The declared body length; None when the header is not a plain non-negative number."""
    if header is None or header == "":
        return 0
    text = header.strip()
    if not text.isascii() or not text.isdigit():
        return None
    return int(text)


def _upstream_id(body: dict) -> int | None:
    task = body.get("task") if isinstance(body.get("task"), dict) else {}
    for value in (task.get("id"), body.get("id"), body.get("taskId")):
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return None


@csrf_exempt
@login_not_required
@require_POST
def useapi(request, ref: str = ""):
    length = _content_length(request.headers.get("Content-Length"))
    if length is None:
        return _refuse(400, "The Content-Length header is not a length.")
    if length > MAX_BODY:
        return _refuse(413, "Callback body too large.")
    raw = request.body
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _refuse(400, "The callback body is not JSON.")
    if not isinstance(body, dict):
        return _refuse(400, "The callback body is not a JSON object.")
    ref = ref or str(body.get("replyRef") or "")
    genuine = callbacks.read_ref(ref) if ref else None
    if genuine is None:
        return _refuse(403, "Unsigned or forged callback reference.")
    task_id, nonce = genuine
    task = MotionTask.objects.filter(pk=task_id, reply_nonce=nonce).first()
    if task is None or not nonce:
        return _refuse(403, "Unsigned or forged callback reference.")
    if task.upstream_task_id is not None and _upstream_id(body) != task.upstream_task_id:
        return _refuse(400, "The callback is about another task.")
    if task.state not in TRACKED:
        return _refuse(409, "This task is not being tracked any more.")
    digest = hashlib.sha256(raw).hexdigest()[:32]
    marker = f"callback {digest}"
    with transaction.atomic():
        if TaskEvent.objects.filter(task=task, source=TaskEvent.Source.CALLBACK,
                                    detail__startswith=marker).exists():  # fmt: skip
            return _refuse(409, "This callback was already received.")
        status_name = str(body.get("status_name") or "")[:40]
        TaskEvent.objects.create(
            task=task, from_state=task.state, to_state=task.state,
            source=TaskEvent.Source.CALLBACK,
            detail=f"{marker}: upstream reports “{status_name}”; confirming.",
        )  # fmt: skip
        transaction.on_commit(lambda: async_task(CONFIRM_JOB, task.pk))
    return HttpResponse(status=202)
