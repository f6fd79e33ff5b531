from __future__ import annotations

from django.urls import path

from motionhub.usage import views

app_name = "usage"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export, name="export"),
]
