"""/api/v1/motions: upload custom motions (a clip, or a run of them as a batch), and apply
library motions to images (one, or motions x images as a batch).

The forms the pages use do the checking (same checks, same messages), and the pages' accept
paths queue the work: the API adds no pipeline of its own, and never calls upstream.
"""

from __future__ import annotations

import pydantic
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import File, Form, Router, UploadedFile
from ninja.errors import ValidationError

from motionhub.api import access, applying, replies, schemas, shapes
from motionhub.api.problems import Problem, invalid
from motionhub.api.tasks import PROBLEMS
from motionhub.tasks import accept, audited
from motionhub.tasks import runs as upload_runs
from motionhub.tasks.forms import MotionUploadForm

router = Router(tags=["motions"])
ANSWERS = {201: schemas.SubmittedOut, 400: schemas.ProblemOut, **PROBLEMS}


@router.post("/upload", auth=access.operators, response=ANSWERS, url_name="motion-upload")
def upload(
    request: HttpRequest,
    video: File[list[UploadedFile]],
    cover: File[UploadedFile | None] = None,
    name: Form[str] = "",
    account: Form[str] = "auto",
):
    """Upload a custom motion: `video` (mp4/mov, 2 to 10 s; repeat the field for a run, which
    becomes one batch), an optional `cover` for every clip, a `name`, and an `account` id or
    `auto`. Answers the task (or the batch and its tasks, and the clips refused and why)."""

    def work():
        form = MotionUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            raise invalid(form.errors)
        if form.is_run:
            batch = upload_runs.accept_run(form, request.user)
            audited.upload_run(request, batch, form)
            return 201, shapes.submitted(request, run=batch)
        task = accept.accept_upload(form, request.user)
        audited.upload(request, task)
        return 201, shapes.submitted(request, task_id=task.pk)

    return replies.once(request, work)


@router.post(
    "/create", auth=access.operators, response=ANSWERS, url_name="motion-create",
    # The JSON body (image URLs) beside the multipart form ninja documents from the signature.
    openapi_extra={"requestBody": {"content": {
        "application/json": {"schema": applying.CreateJson.model_json_schema()},
    }}},
)  # fmt: skip
def create(
    request: HttpRequest,
    options: Form[applying.CreateOptions],
    motion: Form[list[int]] = None,
    image: File[list[UploadedFile]] = None,
):
    """Apply library motions (`motion`: ids from GET /library) to images: multipart `image`
    files (jpeg/png), or a JSON body with `image_url`s. One motion on one image is one task;
    more are one batch of motions x images. The options are the apply form's."""
    if request.content_type == "application/json":
        try:
            spec = applying.CreateJson.model_validate_json(request.body or b"{}")
        except pydantic.ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                raise Problem(400, "The body is not valid JSON.") from exc
            # Located as ninja locates its own (where first), for one problem shape.
            errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            raise ValidationError(errors) from exc
        ids, data = spec.motion, applying.form_data(spec)
        applying.motions_of(ids)  # refuse unknown motions before downloading anything
        # Downloaded before the Idempotency-Key's transaction: a slow image server must not
        # hold the database's write lock (a replay downloads again, and answers the first).
        files = MultiValueDict({"image": applying.images_from_urls(spec.image_url)})
    else:
        ids, data, files = motion or [], applying.form_data(options), request.FILES
    return replies.once(request, lambda: (201, applying.create(request, ids, files, data)))
