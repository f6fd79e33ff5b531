"""The native API at /api/v1/ (django-ninja): the routers, the errors as problem details, and
the schema at /api/v1/openapi.json. No docs page: ninja's loads scripts the CSP forbids."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from motionhub.api import accounts, batches, files, library, motions, tasks
from motionhub.api.access import viewers
from motionhub.api.problems import CONTENT_TYPE, Problem


class _Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """ninja's schema, with the refusals documented as what they are: problem details."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    if str(status).startswith(("4", "5")) and "application/json" in answer.get(
                        "content", {}
                    ):
                        answer["content"] = {CONTENT_TYPE: answer["content"]["application/json"]}
        return schema


api = _Api(
    title="MotionHub API",
    version="1",
    description="Tasks, uploads, motion-create, batches, the library and accounts. "
    "Authorization: Bearer <personal API token>; errors are RFC 9457 problem details; "
    "every POST takes an Idempotency-Key.",
    auth=viewers,
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
api.add_router("/tasks", tasks.router)
api.add_router("/motions", motions.router)
api.add_router("/batches", batches.router)
api.add_router("/library", library.router)
api.add_router("/accounts", accounts.router)
api.add_router("/files", files.router)


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return exc.response()


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        # ninja's location starts with where the value was (query, body, form, file, path).
        where = [str(part) for part in error.get("loc", ())[1:]]
        # A missing field says what the pages' forms say of one.
        message = "This field is required." if error.get("type") == "missing" else error.get("msg")
        errors.append({"field": ".".join(where), "detail": str(message or "Invalid.")})
    detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors) or "Invalid request."
    return Problem(422, detail, errors=errors).response()


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return Problem(401, "Send Authorization: Bearer <your API token>.",
                   headers={"WWW-Authenticate": "Bearer"}).response()  # fmt: skip


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals: a body that is not JSON (400), a failed CSRF check (403)…
    return Problem(exc.status_code, exc.message).response()


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return Problem(404, "No such record.").response()


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return Problem(403, str(exc) or "Your role does not allow this.").response()


def _open(patterns: list) -> list:
    """The API's own auth answers every request (401 as a problem, never the sign-in page's
    redirect), so the routes are exempt from the login middleware; and a method a route does
    not take is a 405 problem too (ninja answers it with a bare page)."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _open(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(_method_problem(pattern.callback))
    return patterns


def _method_problem(view):
    @wraps(view)  # keeps ninja's csrf_exempt mark: the API checks a session's CSRF itself
    def answered(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/html"):
            allowed = response.get("Allow", "")
            return Problem(405, f"{request.method} is not a method of this address ({allowed}).",
                           headers={"Allow": allowed}).response()  # fmt: skip
        return response

    return answered


@login_not_required
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other address under /api/v1/: a 404 problem a script can read, not an HTML page."""
    return Problem(404, f"No such API address: /api/v1/{rest}").response()


_patterns, _ninja, _namespace = api.urls
urlpatterns = [*_open(list(_patterns)), re_path(r"^(?P<rest>.+)$", unknown, name="unknown")]
app_name = "api"  # the namespace ninja reverses its routes in (urls_namespace)
