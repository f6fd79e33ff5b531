from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django_htmx.http import HttpResponseClientRedirect

from motionhub.core.roles import operator_required
from motionhub.library.listing import attach_kept
from motionhub.library.models import Motion
from motionhub.tasks import accept, audited
from motionhub.tasks.forms import MotionCreateForm


@operator_required
def apply(request, pk: int):
    """Apply a motion from the library to an image: a motion-create task on its account."""
    motion = get_object_or_404(
        Motion.objects.select_related("account__connection", "source_task"), pk=pk
    )
    attach_kept([motion])
    if motion.work_id is None and not motion.video_src:
        messages.error(request, "This motion has neither a workId nor a video URL to apply.")
        return redirect("library:index")
    if not motion.account.enabled or motion.account.removed_at:
        messages.error(request, "This motion's Kling account is disabled or removed.")
        return redirect("library:index")
    form = MotionCreateForm(request.POST or None, request.FILES or None, motion=motion)
    if request.method == "POST" and form.is_valid():
        task = accept.accept_create(form, request.user)
        audited.create(request, task, motion)
        if request.htmx:
            return HttpResponseClientRedirect(task.get_absolute_url())
        return redirect(task)
    template = "library/apply.html#apply-form" if request.htmx else "library/apply.html"
    return render(
        request, template, {"form": form, "motion": motion}, status=400 if form.errors else 200
    )
