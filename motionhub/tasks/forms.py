from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from motionhub import media
from motionhub.accounts.models import KlingAccount

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
    return [(AUTOMATIC, "Automatic (the least busy healthy account with a free slot)")] + [
        (str(a.pk), f"{a.display_name} · {a.connection.name}" + _health(a)) for a in accounts
    ]


def _health(account: KlingAccount) -> str:
    """The account's health beside its name, unless it is active (a pinned task would wait)."""
    return "" if account.is_usable else f" — {account.health_label} (tasks wait)"


class AccountChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=account_choices, initial=AUTOMATIC, **kwargs)

    def to_account(self, value: str) -> KlingAccount | None:
        if value == AUTOMATIC:
            return None
        return KlingAccount.active.get(pk=int(value))


class ClipsInput(forms.FileInput):
    """A file picker that takes several clips at once (each posted as `video`, repeated)."""

    allow_multiple_selected = True


class ClipsField(forms.FileField):
    """Every file posted in the field, as a list; each is checked by the form on its own, so
    one bad clip refuses that clip, not the run."""

    widget = ClipsInput

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if not uploads:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return uploads


class Clip(NamedTuple):
    upload: UploadedFile
    info: media.VideoInfo


class MotionUploadForm(forms.Form):
    name = forms.CharField(
        max_length=200, required=False,
        help_text="How the team will recognise this motion in the library. With several clips, "
        "each is named from this and its file name (the file name alone when this is empty).",
    )  # fmt: skip
    account = AccountChoiceField(label="Kling account")
    video = ClipsField(
        label="Videos",
        help_text="mp4 or mov, 2 to 10 seconds, at most 100 MB, showing one person moving. "
        "Pick or drop several to upload a run: each becomes a task of one batch.",
        widget=ClipsInput(
            attrs={"accept": "video/mp4,video/quicktime,.mp4,.mov", "multiple": True}
        ),
    )
    cover = forms.FileField(
        required=False,
        label="Cover image",
        help_text="Optional jpeg or png, at least 300 px on its short side, at most 10 MB, for "
        "every clip sent. Without one, a frame of each video becomes its cover.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def clean_video(self):
        uploads = self.cleaned_data["video"]
        limit = settings.MOTIONHUB_BATCH_MAX_TASKS
        if len(uploads) > limit:
            raise forms.ValidationError(
                f"At most {limit} clips per upload; you sent {len(uploads)}. "
                "Split the run into smaller ones."
            )
        self.clips: list[Clip] = []
        # (file name, reason) of each refused clip: nothing of it is stored or sent.
        self.refused: list[tuple[str, str]] = []
        for upload in uploads:
            try:
                self.clips.append(Clip(upload, _probe_clip(upload)))
            except forms.ValidationError as exc:
                self.refused.append((display_name(upload), " ".join(exc.messages)))
        if not self.clips:
            if len(uploads) == 1:
                raise forms.ValidationError(self.refused[0][1])
            raise forms.ValidationError([f"{name}: {reason}" for name, reason in self.refused])
        self.video_info = self.clips[0].info
        return self.clips[0].upload

    @property
    def is_run(self) -> bool:
        """Several clips were sent: they make a batch (one clip is a task of its own)."""
        return len(self.clips) + len(self.refused) > 1

    def clip_name(self, clip: Clip) -> str:
        """A task's name: the name given, with the file name when the run has several clips."""
        given = self.cleaned_data.get("name", "")
        if not self.is_run and given:
            return given
        stem = display_name(clip.upload)
        return (f"{given} · {stem}" if given else stem)[:200]

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


def display_name(upload) -> str:
    """The client's file name without any folder part, for display only (never for storage)."""
    return os.path.basename((upload.name or "").replace("\\", "/"))[:200] or "(no name)"


def _probe_clip(upload) -> media.VideoInfo:
    if not upload.size:
        raise forms.ValidationError("The submitted file is empty.")
    with local_path(upload) as path:
        try:
            return media.probe_motion_video(path)
        except media.MediaError as exc:
            raise forms.ValidationError(str(exc)) from exc


def file_extension(content_type: str) -> str:
    return {
        "video/mp4": ".mp4",
        "video/quicktime": ".mov",
        "image/jpeg": ".jpg",
        "image/png": ".png",
    }.get(content_type, os.path.splitext(content_type)[1] or ".bin")


class MotionCreateForm(forms.Form):
    """Apply a library motion to an image (POST /videos/motion-create).

    The options follow the API generation the motion comes from: the 2025 list gives a
    `workId` (options: duration, character, audio), the 2026 list a motion URL (options: model,
    keep audio, which orientation to follow).
    """

    name = forms.CharField(max_length=200, help_text="How this video is named in the history.")
    image = forms.FileField(
        help_text="A jpeg or png of the person to animate, at least 300 px on its short side, "
        "at most 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    prompt = forms.CharField(
        required=False, max_length=2500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional guidance, at most 2500 characters.",
    )  # fmt: skip
    mode = forms.ChoiceField(
        choices=[("std", "Standard"), ("pro", "Pro (higher quality, more credits)")],
        initial="std",
    )

    # 2025 (workId) options
    duration = forms.TypedChoiceField(
        choices=[("5", "5 s"), ("10", "10 s")], initial="5", coerce=str, required=False
    )
    character_id = forms.IntegerField(
        label="Character", min_value=0, max_value=10, initial=0, required=False,
        help_text="Which person to animate when the image has several: 0 is the first from "
        "the left.",
    )  # fmt: skip
    change_direction = forms.BooleanField(required=False, label="Change direction")
    sound_effect = forms.BooleanField(required=False, label="Generate sound effects")
    audio_prompt = forms.CharField(required=False, max_length=500, label="Sound prompt")
    music_prompt = forms.CharField(required=False, max_length=500, label="Music prompt")
    enable_asmr = forms.BooleanField(required=False, label="ASMR-style audio")

    # 2026 (motion URL) options
    model_name = forms.ChoiceField(
        label="Model",
        choices=[("kling-v3-0", "Kling 3.0"), ("kling-v2-6", "Kling 2.6")],
        initial="kling-v3-0",
        required=False,
    )
    keep_audio = forms.BooleanField(required=False, label="Keep the motion video's sound")
    motion_direction = forms.ChoiceField(
        label="Orientation",
        choices=[
            ("motion_direction", "Follow the motion video"),
            ("image_direction", "Follow the image"),
        ],
        initial="motion_direction",
        required=False,
    )
    element_1 = forms.CharField(
        required=False, max_length=100, label="Element id",
        help_text="Optional saved Kling element for character consistency (Kling 3.0 only).",
    )  # fmt: skip

    V2025 = ("duration", "character_id", "change_direction", "sound_effect", "audio_prompt",
             "music_prompt", "enable_asmr")  # fmt: skip
    V2026 = ("model_name", "keep_audio", "motion_direction", "element_1")

    def __init__(self, *args, motion, **kwargs):
        super().__init__(*args, **kwargs)
        self.motion = motion
        self.uses_work_id = motion.work_id is not None
        for name in self.V2026 if self.uses_work_id else self.V2025:
            del self.fields[name]
        if not self.is_bound:
            self.fields["name"].initial = f"{motion.name} video"[:200]

    def clean_image(self):
        upload = self.cleaned_data["image"]
        with local_path(upload) as path:
            try:
                self.image_info = media.probe_cover_image(path)
            except media.MediaError as exc:
                raise forms.ValidationError(str(exc).replace("cover", "image")) from exc
        return upload

    def clean_element_1(self) -> str:
        value = self.cleaned_data.get("element_1", "").strip()
        if value and self.cleaned_data.get("model_name") == "kling-v2-6":
            raise forms.ValidationError("Elements work only with Kling 3.0.")
        return value

    def create_fields(self) -> dict:
        """The motion-create body, less the image URL (known once the image is uploaded)."""
        data = self.cleaned_data
        fields = {"prompt": data["prompt"] or None, "mode": data["mode"]}
        if self.uses_work_id:
            fields |= {
                "workId": self.motion.work_id,
                "duration": data["duration"] or "5",
                "character_id": data["character_id"] if data["character_id"] is not None else 0,
                "change_direction": data["change_direction"] or None,
                "sound_effect": data["sound_effect"] or None,
                "audio_prompt": data["audio_prompt"] or None,
                "music_prompt": data["music_prompt"] or None,
                "enable_asmr": data["enable_asmr"] or None,
            }
        else:
            fields |= {
                "motionUrl": self.motion.video_url,
                "model_name": data["model_name"] or "kling-v3-0",
                "keepAudio": data["keep_audio"],
                "motionDirection": data["motion_direction"] or "motion_direction",
                "element_1": data["element_1"] or None,
            }
        return {key: value for key, value in fields.items() if value is not None}
