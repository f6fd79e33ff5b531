from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "motionhub.tokens"
    label = "tokens"
    verbose_name = "Personal API tokens"
