"""The audit log: one append-only row per thing a person did.

Rows are written by `motionhub.audit.record` and never changed or removed by our code, the UI or
the admin: `save()` only inserts, and deleting or bulk-updating entries raises. The only change a
row ever sees is Django nulling `actor` / `account` when that person or account is deleted (it goes
through the base manager, not ours); `actor_name` and `account_label` keep the names, so the
entry still answers "who, on which account" afterwards.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from motionhub.audit.actions import Action, Outcome


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    # As on QuerySet.delete: not offered on the manager (`AuditEntry.objects.delete()`).
    delete.queryset_only = True


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The username at the time; for a failed sign-in, the username that was tried.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    # What the action was done to: "app_label.model" of a local row, or a short name such as
    # "kling_account" for something that has no row (yet); the id as text (upstream ids are large
    # integers, ours may be UUIDs); and a readable label as it was then.
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    account = models.ForeignKey(
        "accounts.KlingAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the (account, at, id) index below serves lookups by account
    )
    account_label = models.CharField(max_length=254, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OK)
    # A short human summary. Never a token, a password or a raw upstream response.
    detail = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Done through a personal API token (a script), not on a page: same action, same checks.
    via_api = models.BooleanField(default=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-at", "-id"]
        # The list pages newest first by (at, id) with keyset pagination, alone or filtered by
        # one of these columns; each index ends in (at, id) so a filtered page is a range scan.
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at"),
            models.Index(fields=["actor_name", "-at", "-id"], name="audit_actor_at"),
            models.Index(fields=["action", "-at", "-id"], name="audit_action_at"),
            models.Index(fields=["account", "-at", "-id"], name="audit_account_at"),
        ]

    def __str__(self) -> str:
        who = self.actor_name or "someone"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.target_label}".strip()

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        # force_insert: a new instance given an existing pk must fail, not overwrite that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    @property
    def target_kind(self) -> str:
        """The target's type in words ("kling account"), falling back to the stored key."""
        try:
            return str(apps.get_model(self.target_type)._meta.verbose_name)
        except (LookupError, ValueError):  # not a model (any more), or not "app.model"
            return self.target_type

    @property
    def account_display(self) -> str:
        if self.account is not None:
            return self.account.display_name
        return self.account_label
