from __future__ import annotations

from django.urls import path, re_path

from motionhub.gateway.views import accounts, assets, tasks, videos

app_name = "gateway"
urlpatterns = [
    path("accounts", accounts.accounts, name="accounts"),
    path("accounts/<str:email>", accounts.account, name="account"),
    path("scheduler/available", accounts.scheduler_available, name="scheduler-available"),
    # useapi's own examples post to "assets/" (with a slash) and "assets": both answer.
    path("assets", assets.upload, name="assets"),
    path("assets/", assets.upload),
    path("assets/download", assets.download, name="download"),
    path("videos/motion-upload", videos.motion_upload, name="motion-upload"),
    path("videos/motion-create", videos.motion_create, name="motion-create"),
    path("videos/motions", videos.motions, name="motions"),
    path("tasks/<str:task_id>", tasks.task, name="task"),
    path("files/<str:signed>/<str:filename>", assets.signed_file, name="file"),
    # Anything else: a 404 a script can parse, not an HTML page.
    re_path(r"^.*$", assets.unknown, name="unknown"),
]
