from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "motionhub.gateway"
    label = "gateway"
    verbose_name = "useapi-compatible gateway"
