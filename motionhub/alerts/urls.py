from __future__ import annotations

from django.urls import path

from motionhub.alerts import manage, views

app_name = "alerts"
urlpatterns = [
    path("", views.index, name="index"),
    path("rules/<str:kind>/", manage.rule, name="rule"),
    path("recipients/", manage.recipient_add, name="recipient_add"),
    path("recipients/<int:pk>/remove/", manage.recipient_remove, name="recipient_remove"),
    path("webhook/", manage.webhook_set, name="webhook_set"),
    path("webhook/remove/", manage.webhook_remove, name="webhook_remove"),
]
