"""The sandbox's useapi root endpoints beside /v1/kling: /sandbox/v2/account/stats."""

from __future__ import annotations

from django.urls import re_path

from motionhub.sandbox.views import stats

app_name = "sandbox-root"
urlpatterns = [re_path(r"^account/stats/?$", stats.account_stats, name="account-stats")]
