from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from motionhub.audit import throttle
from motionhub.core import views as core_views
from motionhub.dashboard import views as dashboard_views
from motionhub.history import urls as history_urls
from motionhub.tasks import urls as task_urls
from motionhub.tasks.views import upload

# The admin's own sign-in form follows the same throttle.
admin.site.login_form = throttle.AdminSignInForm

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("home/cards/", dashboard_views.cards_fragment, name="home_cards"),
    # Sign-in refuses throttled attempts before checking a password (see audit/throttle.py).
    path("login/", throttle.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("motionhub.accounts.urls")),
    # The upload form sits beside the library it feeds: /motions/ and /motions/upload/.
    path("motions/upload/", upload.upload, name="upload"),
    path("motions/", include("motionhub.library.urls")),
    # One "tasks" namespace over two apps: the history lists tasks, the tasks app shows one.
    path("tasks/", include((history_urls.task_history + task_urls.task_pages, "tasks"))),
    path("batches/", include("motionhub.batches.urls")),
    path("hooks/", include(task_urls.hook_patterns)),
    path("audit/", include(history_urls.audit_patterns)),
    # Uploaded media is team data: served only to signed-in people with a role.
    path("media/<path:path>", core_views.media, name="media"),
    # Kept copies of results (motionhub/archive/), behind login like uploads.
    path("archive/", include("motionhub.archive.urls")),
    path("alerts/", include("motionhub.alerts.urls")),
    path("usage/", include("motionhub.usage.urls")),
    # Each person's API tokens for scripts (motionhub/tokens/).
    path("tokens/", include("motionhub.tokens.urls")),
    # The native API for scripts (motionhub/api/), its schema at /api/v1/openapi.json.
    path("api/v1/", include("motionhub.api.urls")),
    path("admin/", admin.site.urls),
    # useapi's Kling API over MotionHub's own records, for existing scripts (motionhub/gateway/).
    path("useapi/v1/kling/", include("motionhub.gateway.urls")),
    # The simulator answers only when MOTIONHUB_SANDBOX is on (checked per request).
    path("sandbox/v1/kling/", include("motionhub.sandbox.urls")),
    # …and its useapi root, as https://api.useapi.net/v2/ is beside /v1/kling (usage stats).
    path("sandbox/v2/", include("motionhub.sandbox.stats_urls")),
]
