from django.apps import AppConfig


class SandboxAppConfig(AppConfig):
    name = "motionhub.sandbox"
    label = "sandbox"
    verbose_name = "useapi sandbox"
