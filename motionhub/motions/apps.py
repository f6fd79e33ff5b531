from django.apps import AppConfig


class MotionsConfig(AppConfig):
    name = "motionhub.motions"
    label = "motions"
    verbose_name = "Motions and tasks"
