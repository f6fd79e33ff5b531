from __future__ import annotations

from django.urls import path

from motionhub.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="index"),
]
