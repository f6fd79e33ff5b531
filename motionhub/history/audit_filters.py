from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from motionhub.accounts.models import KlingAccount
from motionhub.audit.actions import Action, Outcome


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: KlingAccount) -> str:
        name = f"{obj.label} <{obj.email}>" if obj.label else obj.email
        return f"{name} (removed)" if obj.removed_at else name


class AuditFilterForm(forms.Form):
    """The filters of /audit/, read from the query string so a filtered view can be bookmarked."""

    person = forms.CharField(
        required=False,
        max_length=150,
        help_text="Username at the time; a failed sign-in keeps the name tried.",
        # The page lists the current usernames in a <datalist> with this id.
        widget=forms.TextInput(attrs={"list": "audit-people", "autocomplete": "off"}),
    )
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *Action.choices])
    account = AccountChoiceField(
        required=False,
        # Removed accounts stay selectable: their history is what this page is for.
        queryset=KlingAccount.objects.order_by("email"),
        empty_label="Any account",
    )
    outcome = forms.ChoiceField(required=False, choices=[("", "Any outcome"), *Outcome.choices])
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Target",
        help_text="Part of its name, or its exact id.",
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "This date is before the “From” date.")
        return cleaned

    def filter(self, entries: QuerySet) -> QuerySet:
        """Apply the filters that are valid; an invalid one is shown as an error and ignored."""
        if not self.is_bound:
            return entries
        self.is_valid()  # cleans once: invalid fields drop out of cleaned_data
        data = self.cleaned_data
        if person := (data.get("person") or "").strip():
            entries = entries.filter(actor_name=person)
        if action := data.get("action"):
            entries = entries.filter(action=action)
        if account := data.get("account"):
            entries = entries.filter(account=account)
        if outcome := data.get("outcome"):
            entries = entries.filter(outcome=outcome)
        # Dates are whole days in the site's time zone, both ends included.
        if start := data.get("date_from"):
            entries = entries.filter(at__gte=_start_of(start))
        if end := data.get("date_to"):
            entries = entries.filter(at__lt=_start_of(end + timedelta(days=1)))
        if q := (data.get("q") or "").strip():
            entries = entries.filter(Q(target_id=q) | Q(target_label__icontains=q))
        return entries

    @property
    def active(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
