"""Addresses of the library, under /motions/ (next to the upload form's /motions/upload/)."""

from __future__ import annotations

from django.urls import path

from motionhub.library.views import delete, library, refresh

app_name = "library"
urlpatterns = [
    path("", library.index, name="index"),
    path("status/", library.status, name="status"),
    path("deletions/", library.deletions, name="deletions"),
    path("refresh/", refresh.refresh, name="refresh"),
    path("delete/", delete.delete, name="delete"),
]
