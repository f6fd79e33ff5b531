"""Addresses of the motions app: the upload form, task pages, and the callback receiver."""

from __future__ import annotations

from django.urls import path

from motionhub.motions.views import apply, history, hooks, tasks, upload

app_name = "motions"
urlpatterns = [
    path("upload/", upload.upload, name="upload"),
    path("<int:pk>/apply/", apply.apply, name="apply"),
]

task_patterns = (
    [
        path("", history.index, name="history"),
        path("export.csv", history.export, name="export"),
        path("<int:pk>/", tasks.detail, name="detail"),
        path("<int:pk>/status/", tasks.status, name="status"),
        path("<int:pk>/retry/", tasks.retry, name="retry"),
        path("<int:pk>/cancel/", tasks.cancel, name="cancel"),
    ],
    "tasks",
)

hook_patterns = (
    [
        path("useapi/", hooks.useapi, name="useapi_body_ref"),
        path("useapi/<str:ref>/", hooks.useapi, name="useapi"),
    ],
    "hooks",
)
