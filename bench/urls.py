"""The product's addresses plus the floor the bench compares against."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from motionhub.urls import urlpatterns as product


def bare(request: HttpRequest) -> HttpResponse:
    """Login-protected (by the middleware, like every page) and nothing else: the floor."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *product]
