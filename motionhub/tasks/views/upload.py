from __future__ import annotations

from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

from motionhub import audit
from motionhub.core.roles import operator_required
from motionhub.tasks import accept
from motionhub.tasks.forms import MotionUploadForm


@operator_required
def upload(request):
    """The custom-motion form. With htmx it posts in the background (with a progress bar) and
    re-renders only the form on errors; without JavaScript it is a plain form post."""
    form = MotionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        task = accept.accept_upload(form, request.user)
        audit.record(
            request, audit.Action.MOTION_UPLOAD, target=task, account=task.account,
            outcome=audit.Outcome.REQUESTED,
            detail=f"{task.inputs['duration_s']} s video; account "
            f"{'automatic' if task.auto_account else task.account.display_name}",
        )  # fmt: skip
        if request.htmx:
            return HttpResponseClientRedirect(task.get_absolute_url())
        return redirect(task)
    template = "tasks/upload.html#upload-form" if request.htmx else "tasks/upload.html"
    return render(request, template, {"form": form}, status=400 if form.errors else 200)
