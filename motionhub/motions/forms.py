from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager

from django import forms

from motionhub.accounts.models import KlingAccount
from motionhub.motions import media

AUTOMATIC = "auto"


@contextmanager
def local_path(upload):
    """A path to the uploaded bytes: Django keeps big uploads on disk, small ones in memory."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        upload.seek(0)
        yield tmp.name


def account_choices() -> list[tuple[str, str]]:
    accounts = KlingAccount.active.filter(enabled=True).select_related("connection")
    return [(AUTOMATIC, "Automatic (the least busy account with a free slot)")] + [
        (str(a.pk), f"{a.display_name} · {a.connection.name}") for a in accounts
    ]


class AccountChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=account_choices, initial=AUTOMATIC, **kwargs)

    def to_account(self, value: str) -> KlingAccount | None:
        if value == AUTOMATIC:
            return None
        return KlingAccount.active.get(pk=int(value))


class MotionUploadForm(forms.Form):
    name = forms.CharField(
        max_length=200, help_text="How the team will recognise this motion in the library."
    )
    account = AccountChoiceField(label="Kling account")
    video = forms.FileField(
        help_text="mp4 or mov, 2 to 10 seconds, at most 100 MB, showing one person moving.",
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/quicktime,.mp4,.mov"}),
    )
    cover = forms.FileField(
        required=False,
        label="Cover image",
        help_text="Optional jpeg or png, at least 300 px on its short side, at most 10 MB. "
        "Without one, a frame of the video becomes the cover.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def clean_video(self):
        upload = self.cleaned_data["video"]
        with local_path(upload) as path:
            try:
                self.video_info = media.probe_motion_video(path)
            except media.MediaError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload

    def clean_cover(self):
        upload = self.cleaned_data.get("cover")
        self.cover_info = None
        if not upload:
            return None
        with local_path(upload) as path:
            try:
                self.cover_info = media.probe_cover_image(path)
            except media.MediaError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload

    def clean_account(self):
        value = self.cleaned_data["account"]
        try:
            return self.fields["account"].to_account(value)
        except (KlingAccount.DoesNotExist, ValueError) as exc:
            raise forms.ValidationError("Choose one of the accounts listed.") from exc


def file_extension(content_type: str) -> str:
    return {
        "video/mp4": ".mp4",
        "video/quicktime": ".mov",
        "image/jpeg": ".jpg",
        "image/png": ".png",
    }.get(content_type, os.path.splitext(content_type)[1] or ".bin")
