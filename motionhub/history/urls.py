"""Addresses of the history: /tasks/ with its CSV export, and /audit/ (see motionhub/urls.py)."""

from __future__ import annotations

from django.urls import path

from motionhub.history import audit_views, views

# Under /tasks/, in the "tasks" namespace beside the task pages.
task_history = [
    path("", views.index, name="history"),
    path("export.csv", views.export, name="export"),
]

audit_patterns = ([path("", audit_views.index, name="index")], "audit")
