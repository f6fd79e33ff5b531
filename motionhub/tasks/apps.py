from __future__ import annotations

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "motionhub.tasks"
    # The label of the app this was born as (motionhub.motions): it names the tables, the
    # migrations and the permissions of every existing database, so it stays.
    label = "motions"
    verbose_name = "Tasks"
