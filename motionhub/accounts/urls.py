from __future__ import annotations

from django.urls import path

from motionhub.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.index, name="index"),
]
