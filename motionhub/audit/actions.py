"""The vocabulary of the audit log: what people do, and how it ended.

Kept apart from models.py so `motionhub.audit` can export them while Django is still loading
apps. The keys are stored in every row and bookmarked in filter URLs: never rename one, add a
new key instead.
"""

from __future__ import annotations

from django.db import models


class Action(models.TextChoices):
    LOGIN = "auth.login", "Signed in"
    LOGIN_FAILED = "auth.login_failed", "Failed sign-in"
    LOGOUT = "auth.logout", "Signed out"
    CONNECTION_CREATE = "connection.create", "Added a connection"
    CONNECTION_UPDATE = "connection.update", "Changed a connection"
    CONNECTION_SYNC = "connection.sync", "Synced a connection"
    ACCOUNT_ADD = "account.add", "Added a Kling account"
    ACCOUNT_UPDATE = "account.update", "Changed a Kling account"
    ACCOUNT_REMOVE = "account.remove", "Removed a Kling account"
    MOTION_UPLOAD = "motion.upload", "Uploaded a custom motion"
    MOTION_CREATE = "motion.create", "Applied a motion to an image"
    TASK_RETRY = "task.retry", "Retried a task"
    TASK_CANCEL = "task.cancel", "Canceled a task"
    TASK_MOVE = "task.move", "Moved a task to another account"
    TASKS_RETRY = "tasks.retry", "Retried failed tasks in bulk"
    TASKS_CANCEL = "tasks.cancel", "Canceled queued tasks in bulk"
    MOTION_DELETE = "motion.delete", "Deleted a motion"
    ROLE_CHANGE = "role.change", "Changed a role"
    USER_CREATE = "user.create", "Created a person"
    USER_UPDATE = "user.update", "Changed a person"
    USER_DELETE = "user.delete", "Deleted a person"
    ALERT_SENT = "alert.sent", "Sent an alert"
    ALERT_FAILED = "alert.failed", "Failed to send an alert"
    RETENTION = "storage.retention", "Removed files past their retention"
    ALERT_RULE_CHANGE = "alert.rule", "Changed an alert rule"
    ALERT_RECIPIENT_ADD = "alert.recipient_add", "Added an alert recipient"
    ALERT_RECIPIENT_REMOVE = "alert.recipient_remove", "Removed an alert recipient"
    ALERT_WEBHOOK_SET = "alert.webhook_set", "Set the alert webhook"
    ALERT_WEBHOOK_REMOVE = "alert.webhook_remove", "Removed the alert webhook"
    TOKEN_CREATE = "token.create", "Created an API token"
    TOKEN_REVOKE = "token.revoke", "Revoked an API token"
    ASSET_UPLOAD = "asset.upload", "Uploaded a file through the API"


class Outcome(models.TextChoices):
    OK = "ok", "ok"
    # Accepted and handed to a background job, which records its own result (e.g. AccountChange).
    REQUESTED = "requested", "requested"
    # We said no: a wrong password, a missing permission, invalid input.
    REFUSED = "refused", "refused"
    # We tried and it went wrong.
    FAILED = "failed", "failed"
