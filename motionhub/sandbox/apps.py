from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "motionhub.sandbox"
    label = "sandbox"
    verbose_name = "useapi sandbox"
