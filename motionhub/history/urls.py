"""Addresses of the history: /tasks/ with its CSV export, and /audit/ (see motionhub/urls.py)."""

from __future__ import annotations

from django.urls import path

from motionhub.history import audit_views, bulk, views

# Under /tasks/, in the "tasks" namespace beside the task pages.
task_history = [
    path("", views.index, name="history"),
    path("export.csv", views.export, name="export"),
    # Bulk actions over exactly the filtered tasks (the same query string as the page).
    path("bulk/retry/", bulk.retry, name="bulk_retry"),
    path("bulk/cancel/", bulk.cancel, name="bulk_cancel"),
]

audit_patterns = ([path("", audit_views.index, name="index")], "audit")
