"""Addresses of the batch pages, under /batches/ in the "batches" namespace."""

from __future__ import annotations

from django.urls import path

from motionhub.batches import views

app_name = "batches"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/results.zip", views.results_zip, name="results"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
