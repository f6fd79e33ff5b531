"""The useapi Kling v1 paths, under /sandbox/v1/kling/. A trailing slash is optional everywhere."""

from __future__ import annotations

from django.urls import path, re_path

from motionhub.sandbox.views import accounts, assets, files, scheduler, tasks, videos

app_name = "sandbox"
urlpatterns = [
    re_path(r"^accounts/?$", accounts.accounts, name="accounts"),
    re_path(r"^accounts/(?P<email>[^/]+)/?$", accounts.account, name="account"),
    re_path(r"^assets/?$", assets.upload, name="assets"),
    re_path(r"^assets/download/?$", assets.download, name="assets-download"),
    re_path(r"^videos/motion-upload/?$", videos.motion_upload, name="motion-upload"),
    re_path(r"^videos/motion-create/?$", videos.motion_create, name="motion-create"),
    re_path(r"^videos/motions/?$", videos.motions, name="motions"),
    re_path(r"^tasks/?$", tasks.history, name="tasks"),
    re_path(r"^tasks/(?P<task_id>[^/]+)/?$", tasks.task, name="task"),
    re_path(r"^scheduler/?$", scheduler.executing, name="scheduler"),
    re_path(r"^scheduler/available/?$", scheduler.available, name="scheduler-available"),
    path("files/<str:name>", files.file, name="file"),
]
