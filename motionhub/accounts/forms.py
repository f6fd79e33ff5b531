from __future__ import annotations

from django import forms
from django.conf import settings

from motionhub.accounts.models import Connection, KlingAccount

MAX_JOBS_HELP = "How many tasks useapi.net may run at once on this account (1 to 50)."
SENT_ONCE_NOTE = (
    "Sent once to useapi.net, which signs in to Kling with it; MotionHub never stores it."
)


class ConnectionForm(forms.ModelForm):
    base_url = forms.URLField(label="Base URL", max_length=300, assume_scheme="https")
    token = forms.CharField(
        label="API token",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Your useapi.net API token. It is stored encrypted and never shown again.",
    )

    class Meta:
        model = Connection
        fields = ["name", "base_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "base_url"
        ].help_text = f"The real service is {settings.USEAPI_DEFAULT_BASE_URL}"
        if self.instance.pk:
            self.fields["token"].required = False
            self.fields["token"].help_text = "Leave empty to keep the current token."
        else:
            self.fields["base_url"].initial = settings.USEAPI_DEFAULT_BASE_URL

    def clean_base_url(self) -> str:
        return self.cleaned_data["base_url"].rstrip("/")

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()

    def save(self, commit: bool = True) -> Connection:
        connection = super().save(commit=False)
        if self.cleaned_data.get("token"):
            connection.set_token(self.cleaned_data["token"])
        if commit:
            connection.save()
        return connection


class AccountAddForm(forms.Form):
    email = forms.EmailField(label="Kling account email")
    password = forms.CharField(
        label="Kling password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=SENT_ONCE_NOTE,
    )
    max_jobs = forms.IntegerField(
        label="maxJobs", min_value=1, max_value=50, initial=5, help_text=MAX_JOBS_HELP
    )
    label = forms.CharField(max_length=100, required=False, help_text="A name the team knows.")

    def __init__(self, *args, connection: Connection, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = connection

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        taken = KlingAccount.active.filter(connection=self.connection, email__iexact=email)
        if taken.exists():
            raise forms.ValidationError(
                "This account is already configured on this connection; edit it instead."
            )
        return email


class AccountEditForm(forms.ModelForm):
    password = forms.CharField(
        label="Kling password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Needed only to change maxJobs: useapi.net signs in to Kling again to apply "
        "it. " + SENT_ONCE_NOTE,
    )

    class Meta:
        model = KlingAccount
        fields = ["label", "enabled", "max_jobs"]
        labels = {"max_jobs": "maxJobs"}
        help_texts = {
            "enabled": "Disabled accounts take no new work.",
            "max_jobs": MAX_JOBS_HELP,
        }
        widgets = {"max_jobs": forms.NumberInput(attrs={"min": 1, "max": 50})}

    def clean_max_jobs(self) -> int:
        value = self.cleaned_data["max_jobs"]
        if not 1 <= value <= 50:
            raise forms.ValidationError("maxJobs must be between 1 and 50.")
        return value

    @property
    def max_jobs_changed(self) -> bool:
        return "max_jobs" in self.changed_data

    def clean(self):
        cleaned = super().clean()
        if self.max_jobs_changed and not cleaned.get("password"):
            self.add_error("password", "Enter the Kling password to change maxJobs.")
        return cleaned
