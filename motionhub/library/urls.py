"""Addresses of the library, under /motions/: the cards, refresh, delete and apply."""

from __future__ import annotations

from django.urls import path

from motionhub.library.views import apply, apply_run, delete, library, refresh

app_name = "library"
urlpatterns = [
    path("", library.index, name="index"),
    path("status/", library.status, name="status"),
    path("deletions/", library.deletions, name="deletions"),
    path("refresh/", refresh.refresh, name="refresh"),
    path("delete/", delete.delete, name="delete"),
    path("apply/", apply_run.apply_run, name="apply_run"),
    path("<int:pk>/apply/", apply.apply, name="apply"),
]
