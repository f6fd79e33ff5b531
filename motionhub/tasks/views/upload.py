from __future__ import annotations

from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

from motionhub import audit
from motionhub.core.roles import operator_required
from motionhub.tasks import accept, runs
from motionhub.tasks.forms import MotionUploadForm


@operator_required
def upload(request):
    """The custom-motion form. With htmx it posts in the background (with a progress bar) and
    re-renders only the form on errors; without JavaScript it is a plain form post.

    One clip lands on its task page; several (a run) become one batch and land on its page,
    which names the clips that were refused.
    """
    form = MotionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if form.is_run:
            done = _accept_run(request, form)
        else:
            done = accept.accept_upload(form, request.user)
            audit.record(
                request, audit.Action.MOTION_UPLOAD, target=done, account=done.account,
                outcome=audit.Outcome.REQUESTED,
                detail=f"{done.inputs['duration_s']} s video; account "
                f"{'automatic' if done.auto_account else done.account.display_name}",
            )  # fmt: skip
        if request.htmx:
            return HttpResponseClientRedirect(done.get_absolute_url())
        return redirect(done)
    template = "tasks/upload.html#upload-form" if request.htmx else "tasks/upload.html"
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


def _accept_run(request, form: MotionUploadForm):
    batch = runs.accept_run(form, request.user)
    account = form.cleaned_data["account"]
    audit.record(
        request, audit.Action.MOTION_UPLOAD, target=batch, account=account,
        outcome=audit.Outcome.REQUESTED,
        detail=f"Batch of {len(form.clips)} clips ({len(form.refused)} refused); account "
        f"{'automatic' if account is None else account.display_name}",
    )  # fmt: skip
    return batch
