from __future__ import annotations

from django.urls import path

from motionhub.archive import views

app_name = "archive"
urlpatterns = [
    path("files/<int:pk>/", views.kept_file, name="file"),
]
