from __future__ import annotations

from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

from motionhub.core.roles import operator_required
from motionhub.tasks import accept, audited, runs
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
            audited.upload(request, done)
        if request.htmx:
            return HttpResponseClientRedirect(done.get_absolute_url())
        return redirect(done)
    template = "tasks/upload.html#upload-form" if request.htmx else "tasks/upload.html"
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


def _accept_run(request, form: MotionUploadForm):
    batch = runs.accept_run(form, request.user)
    audited.upload_run(request, batch, form)
    return batch
