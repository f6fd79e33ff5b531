"""The library's query-string filters and the motion selection behind deletions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from motionhub.library.models import Motion, Origin

# One confirmation names every motion it deletes; more than this is not something to confirm
# at a glance.
MAX_SELECTION = 100


class LibraryFilter(forms.Form):
    """?account=&tab=&tag=&page= — bookmarkable. A value that does not parse falls back to its
    default rather than failing the page (a hand-edited or outdated link)."""

    account = forms.IntegerField(required=False, min_value=1)
    tab = forms.ChoiceField(choices=Origin.choices, required=False)
    tag = forms.CharField(required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        return {
            "account": data.get("account"),
            "tab": data.get("tab") or Origin.MINE,
            "tag": (data.get("tag") or "").strip(),
            "page": data.get("page") or 1,
        }


def safe_next(value: str | None, request) -> str:
    """Where to go back to: the library page (with its filters) on this site, else the plain
    library. Anything else, such as another site or a fragment's address, is not followed."""
    home = reverse("library:index")
    if (
        value
        and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()})
        and urlsplit(value).path == home
        and not urlsplit(value).netloc
    ):
        return value
    return home


class MotionSelectionForm(forms.Form):
    """The motions picked for deletion: ?motion=<id>&motion=<id> (or the same in a POST)."""

    motion = forms.ModelMultipleChoiceField(
        queryset=Motion.objects.none(),
        error_messages={
            "required": "Select at least one motion to delete.",
            "invalid_choice": "A selected motion is no longer in the library; refresh the page.",
            "invalid_pk_value": "That is not a motion of the library.",
        },
    )
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["motion"].queryset = Motion.objects.select_related(
            "account__connection", "source_task"
        ).filter(account__removed_at__isnull=True)

    def clean_motion(self):
        motions = self.cleaned_data["motion"]
        if len(motions) > MAX_SELECTION:
            raise forms.ValidationError(f"Select at most {MAX_SELECTION} motions at a time.")
        return motions
