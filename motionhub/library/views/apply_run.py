"""/motions/apply/: several motions by several images, confirmed, then one batch."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from motionhub.core.roles import operator_required
from motionhub.library import runs
from motionhub.library.forms import MotionSelectionForm
from motionhub.tasks import audited


@operator_required
def apply_run(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "plan" in request.POST:
        return _confirmed(request)
    picked = MotionSelectionForm(request.GET)
    picked.fields["motion"].error_messages["required"] = "Pick at least one motion to apply."
    if not picked.is_valid():
        for errors in picked.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("library:index")
    motions = sorted(picked.cleaned_data["motion"], key=lambda m: m.pk)
    refused = [f"“{m.shown_name}”: {why}" for m in motions if (why := runs.applicable(m))]
    if refused:
        messages.error(request, "These motions cannot be applied: " + "; ".join(refused))
        return redirect("library:index")
    if len({m.work_id is None for m in motions}) > 1:
        messages.error(
            request,
            "Pick motions of one API generation at a time: their options differ "
            "(Kling's 2025 motions take a duration, 2026 ones a model).",
        )
        return redirect("library:index")
    form = runs.ApplyRunForm(request.POST or None, request.FILES or None, motions=motions)
    if request.method == "POST" and form.is_valid():
        plan = runs.plan(form)
        return render(request, "library/apply_run_confirm.html", {"plan": plan})
    return render(
        request, "library/apply_run.html", {"form": form, "motions": motions},
        status=400 if form.errors else 200,
    )  # fmt: skip


def _confirmed(request: HttpRequest) -> HttpResponse:
    try:
        batch, made = runs.make(request.POST["plan"], request.user)
    except runs.PlanExpired:
        messages.error(request, "This confirmation has expired or its motions changed: "
                       "pick the motions and images again.")  # fmt: skip
        return redirect("library:index")
    if made:
        count = batch.tasks.count()
        audited.create_run(request, batch, count)
        messages.success(request, f"{count} videos queued in batch #{batch.pk}.")
    return redirect(batch)
