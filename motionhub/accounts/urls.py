from __future__ import annotations

from django.urls import path

from motionhub.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.index, name="index"),
    path("changes/", views.changes_fragment, name="changes"),
    path("health/", views.health_fragment, name="health"),
    path("connections/new/", views.connection_create, name="connection_create"),
    path("connections/<int:pk>/edit/", views.connection_edit, name="connection_edit"),
    path("connections/<int:pk>/sync/", views.connection_sync, name="connection_sync"),
    path("connections/<int:pk>/accounts/new/", views.account_add, name="account_add"),
    path("<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("<int:pk>/remove/", views.account_remove, name="account_remove"),
]
