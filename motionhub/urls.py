from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from motionhub.core import throttle
from motionhub.core import views as core_views
from motionhub.motions import urls as motion_urls

# The admin's own sign-in form follows the same throttle.
admin.site.login_form = throttle.AdminSignInForm

urlpatterns = [
    path("", core_views.home, name="home"),
    # Sign-in refuses throttled attempts before checking a password (see core/throttle.py).
    path("login/", throttle.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("motionhub.accounts.urls")),
    path("motions/", include("motionhub.motions.urls")),
    path("motions/", include("motionhub.library.urls")),
    path("tasks/", include(motion_urls.task_patterns)),
    path("hooks/", include(motion_urls.hook_patterns)),
    path("audit/", include("motionhub.audit.urls")),
    # Uploaded media is team data: served only to signed-in people with a role.
    path("media/<path:path>", core_views.media, name="media"),
    path("admin/", admin.site.urls),
    # The simulator answers only when MOTIONHUB_SANDBOX is on (checked per request).
    path("sandbox/v1/kling/", include("motionhub.sandbox.urls")),
]
