from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "motionhub.accounts"
    label = "accounts"
    verbose_name = "Connections and Kling accounts"
