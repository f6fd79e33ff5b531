from __future__ import annotations

from django.urls import path

from motionhub.tokens import views

app_name = "tokens"
urlpatterns = [
    path("", views.tokens, name="index"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
