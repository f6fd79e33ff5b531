"""Addresses of the tasks app: the task pages and the callback receiver (see motionhub/urls.py)."""

from __future__ import annotations

from django.urls import path

from motionhub.tasks.views import hooks, tasks

# Under /tasks/, in the "tasks" namespace beside the history's list and export.
task_pages = [
    path("<int:pk>/", tasks.detail, name="detail"),
    path("<int:pk>/status/", tasks.status, name="status"),
    path("<int:pk>/retry/", tasks.retry, name="retry"),
    path("<int:pk>/cancel/", tasks.cancel, name="cancel"),
    path("<int:pk>/move/", tasks.move, name="move"),
]

hook_patterns = (
    [
        path("useapi/", hooks.useapi, name="useapi_body_ref"),
        path("useapi/<str:ref>/", hooks.useapi, name="useapi"),
    ],
    "hooks",
)
