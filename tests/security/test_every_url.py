"""Every URL pattern, walked from the resolver, answered as expected for every role.

The table below is the access policy written out: for each pattern, what a GET and a POST get
from an anonymous visitor, a signed-in person with no role, a viewer, an operator and an admin.
A pattern that is not in the table fails `test_every_url_pattern_has_an_expectation`, so a new
address cannot ship without someone deciding who may use it.

Legend: LOGIN = redirected to /login/?next=…; ADMIN_LOGIN = redirected to the admin's
/admin/login/?next=…; a number is the exact status; SKIP = not sent (an admin's POST to the
Django admin would change real rows; Django tests its own admin).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from .conftest import ROLES, TOKEN, World, client_for

LOGIN, ADMIN_LOGIN, SKIP = "LOGIN", "ADMIN_LOGIN", "SKIP"
HX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Expect:
    # One answer per role, in the order of ROLES: anonymous, no-role, viewer, operator, admin.
    get: tuple
    post: tuple
    kwargs: Callable[[World], dict] = field(default=lambda w: {})
    query: Callable[[World], str] = field(default=lambda w: "")
    post_json: dict | None = None  # a JSON body instead of an empty form


# Shapes that recur: a page every role reads; a write only operators/admins make; and so on.
READ = (LOGIN, 403, 200, 200, 200)
NOT_POSTED = (LOGIN, 403, 405, 405, 405)
OPERATOR_PAGE = (LOGIN, 403, 403, 200, 200)
ADMIN_PAGE = (LOGIN, 403, 403, 403, 200)
EVERYONE = (200, 200, 200, 200, 200)
BEARER_ONLY = (401, 401, 401, 401, 401)  # the sandbox: a session is no API token
ALL_405 = (405, 405, 405, 405, 405)
ADMIN_POST_ONLY = (LOGIN, 403, 403, 403, 405)
ADMIN_POSTED = (LOGIN, 403, 403, 403, 302)
API_READ = (401, 403, 200, 200, 200)  # /api/v1/: a problem, never the sign-in page
API_WRITE = (401, 403, 403)  # anonymous, no role, viewer; operators and admins follow


def _recipient():
    from motionhub.alerts.models import Recipient

    # The world's one; the admin's walk removes it, and the next walk starts from a new world.
    return Recipient.objects.get(email="walk@example.com")


PK = {
    "connection": lambda w: {"pk": w.connection.pk},
    "account": lambda w: {"pk": w.account.pk},
    "motion": lambda w: {"pk": w.motion.pk},
    "done": lambda w: {"pk": w.done_task.pk},
    "failed": lambda w: {"pk": w.failed_task.pk},
    "queued": lambda w: {"pk": w.queued_task.pk},
    "batch": lambda w: {"pk": w.done_task.batch_id},
}


APP = {
    "": Expect(READ, READ),  # home renders on POST too (harmless: CSRF-checked, writes nothing)
    "home/cards/": Expect(READ, NOT_POSTED),  # the home page's polled account cards
    "login/": Expect(EVERYONE, EVERYONE),  # an empty POST is a form with errors
    "logout/": Expect((LOGIN, 405, 405, 405, 405), (LOGIN, 302, 302, 302, 302)),
    # accounts: everyone reads, admins change
    "accounts/": Expect(READ, NOT_POSTED),
    # polled fragment; 286 = "stop polling", nothing is pending in this world
    "accounts/changes/": Expect((LOGIN, 403, 286, 286, 286), NOT_POSTED),
    "accounts/health/": Expect(READ, NOT_POSTED),  # polled health labels
    "accounts/connections/new/": Expect(ADMIN_PAGE, ADMIN_PAGE),
    "accounts/connections/<int:pk>/edit/": Expect(ADMIN_PAGE, ADMIN_PAGE, PK["connection"]),
    "accounts/connections/<int:pk>/sync/": Expect(
        (LOGIN, 403, 403, 403, 405), (LOGIN, 403, 403, 403, 302), PK["connection"]
    ),
    "accounts/connections/<int:pk>/accounts/new/": Expect(ADMIN_PAGE, ADMIN_PAGE, PK["connection"]),
    "accounts/<int:pk>/edit/": Expect(ADMIN_PAGE, ADMIN_PAGE, PK["account"]),
    "accounts/<int:pk>/remove/": Expect(ADMIN_PAGE, (LOGIN, 403, 403, 403, 302), PK["account"]),
    # motions: viewers read, operators submit (an empty POST is just the empty form)
    "motions/upload/": Expect(OPERATOR_PAGE, OPERATOR_PAGE),
    "motions/<int:pk>/apply/": Expect(OPERATOR_PAGE, OPERATOR_PAGE, PK["motion"]),
    # motions by images: the form for the picked motions; a POST picking none goes back
    "motions/apply/": Expect(
        OPERATOR_PAGE, (LOGIN, 403, 403, 302, 302), query=lambda w: f"motion={w.motion.pk}"
    ),
    "motions/": Expect(READ, NOT_POSTED),
    "motions/status/": Expect(READ, NOT_POSTED),  # no refresh running: "reload the page"
    "motions/deletions/": Expect((LOGIN, 403, 286, 286, 286), NOT_POSTED),
    "motions/refresh/": Expect((LOGIN, 403, 403, 405, 405), (LOGIN, 403, 403, 302, 302)),
    "motions/delete/": Expect(
        OPERATOR_PAGE,  # the confirmation page
        (LOGIN, 403, 403, 302, 302),
        query=lambda w: f"motion={w.motion.pk}",
    ),
    # tasks
    "tasks/": Expect(READ, NOT_POSTED),
    "tasks/export.csv": Expect(READ, NOT_POSTED),
    "tasks/<int:pk>/": Expect(READ, NOT_POSTED, PK["done"]),
    "tasks/<int:pk>/status/": Expect((LOGIN, 403, 286, 286, 286), NOT_POSTED, PK["done"]),
    "tasks/<int:pk>/retry/": Expect(OPERATOR_PAGE, (LOGIN, 403, 403, 302, 302), PK["failed"]),
    "tasks/<int:pk>/cancel/": Expect(
        (LOGIN, 403, 403, 405, 405), (LOGIN, 403, 403, 302, 302), PK["queued"]
    ),
    "tasks/<int:pk>/move/": Expect(
        (LOGIN, 403, 403, 405, 405), (LOGIN, 403, 403, 302, 302), PK["queued"]
    ),
    # bulk actions over the filtered history: a confirmation page, then the POST
    "tasks/bulk/retry/": Expect(OPERATOR_PAGE, (LOGIN, 403, 403, 302, 302)),
    "tasks/bulk/cancel/": Expect(OPERATOR_PAGE, (LOGIN, 403, 403, 302, 302)),
    # batches: everyone reads (the fragment stops at once: its one task is done), operators act
    "batches/": Expect(READ, NOT_POSTED),
    "batches/<int:pk>/": Expect(READ, NOT_POSTED, PK["batch"]),
    "batches/<int:pk>/status/": Expect((LOGIN, 403, 286, 286, 286), NOT_POSTED, PK["batch"]),
    "batches/<int:pk>/results.zip": Expect(READ, NOT_POSTED, PK["batch"]),
    "batches/<int:pk>/retry/": Expect(OPERATOR_PAGE, (LOGIN, 403, 403, 302, 302), PK["batch"]),
    "batches/<int:pk>/cancel/": Expect(OPERATOR_PAGE, (LOGIN, 403, 403, 302, 302), PK["batch"]),
    # callbacks: no login, POST only, and a signed reference or nothing happens
    "hooks/useapi/": Expect(ALL_405, (403,) * 5, post_json={}),
    "hooks/useapi/<str:ref>/": Expect(
        ALL_405, (403,) * 5, lambda w: {"ref": "forged"}, post_json={}
    ),
    "audit/": Expect(READ, NOT_POSTED),
    "alerts/": Expect(READ, NOT_POSTED),
    # admins manage rules and channels (an empty POST is refused with a message: a redirect)
    "alerts/rules/<str:kind>/": Expect(
        ADMIN_POST_ONLY, ADMIN_POSTED, lambda w: {"kind": "relogin"}
    ),
    "alerts/recipients/": Expect(ADMIN_POST_ONLY, ADMIN_POSTED),
    "alerts/recipients/<int:pk>/remove/": Expect(
        ADMIN_POST_ONLY, ADMIN_POSTED, lambda w: {"pk": _recipient().pk}
    ),
    "alerts/webhook/": Expect(ADMIN_POST_ONLY, ADMIN_POSTED),
    "alerts/webhook/remove/": Expect(ADMIN_POST_ONLY, ADMIN_POSTED),
    "usage/": Expect(READ, NOT_POSTED),
    "usage/export.csv": Expect(READ, NOT_POSTED),
    # uploaded team media: people with a role only (static.serve ignores the method)
    "media/<path:path>": Expect(READ, READ, lambda w: {"path": w.media_path}),
    # kept result files: people with a role only, read-only
    "archive/files/<int:pk>/": Expect(READ, NOT_POSTED, lambda w: {"pk": w.kept_file.pk}),
    # the native API: a token or a session; no login redirect (401 problem), no role 403, and
    # ninja answers a method a path does not take with 405 before anything else.
    "api/v1/": Expect((404,) * 5, (404,) * 5),  # ninja's root: no docs page behind it
    "api/v1/(?P<rest>.+)$": Expect((404,) * 5, (404,) * 5, lambda w: {"rest": "nothing"}),
    "api/v1/openapi.json": Expect(EVERYONE, EVERYONE),  # ninja serves it to any method: a read
    "api/v1/tasks": Expect(API_READ, ALL_405),
    "api/v1/tasks/<int:task_id>": Expect(API_READ, ALL_405, lambda w: {"task_id": w.done_task.pk}),
    # The pages' retry and cancel of these tasks ran earlier in the walk: the API answers the
    # retry made then (200) and refuses to cancel a task no longer queued (409).
    "api/v1/tasks/<int:task_id>/retry": Expect(
        ALL_405, (*API_WRITE, 200, 200), lambda w: {"task_id": w.failed_task.pk}
    ),
    "api/v1/tasks/<int:task_id>/cancel": Expect(
        ALL_405, (*API_WRITE, 409, 409), lambda w: {"task_id": w.queued_task.pk}
    ),
    "api/v1/motions/upload": Expect(ALL_405, (*API_WRITE, 422, 422)),  # no video sent
    "api/v1/motions/create": Expect(ALL_405, (*API_WRITE, 422, 422)),  # no motion sent
    "api/v1/batches": Expect(API_READ, ALL_405),
    "api/v1/batches/<int:batch_id>": Expect(
        API_READ, ALL_405, lambda w: {"batch_id": w.done_task.batch_id}
    ),
    "api/v1/batches/<int:batch_id>/retry": Expect(
        ALL_405, (*API_WRITE, 200, 200), lambda w: {"batch_id": w.done_task.batch_id}
    ),
    "api/v1/batches/<int:batch_id>/cancel": Expect(
        ALL_405, (*API_WRITE, 200, 200), lambda w: {"batch_id": w.done_task.batch_id}
    ),
    "api/v1/library": Expect(API_READ, ALL_405),
    # DELETE only (tests/api/ sends it): GET and POST are not its methods
    "api/v1/library/<int:motion_id>": Expect(
        ALL_405, ALL_405, lambda w: {"motion_id": w.motion.pk}
    ),
    "api/v1/accounts": Expect(API_READ, ALL_405),
    "api/v1/files/<int:file_id>": Expect(API_READ, ALL_405, lambda w: {"file_id": w.kept_file.pk}),
    # the sandbox (on for this walk): a bearer token, never a session; files are public
    "sandbox/v1/kling/accounts/?$": Expect(BEARER_ONLY, BEARER_ONLY),
    "sandbox/v1/kling/accounts/(?P<email>[^/]+)/?$": Expect(
        BEARER_ONLY, ALL_405, lambda w: {"email": w.account.email}
    ),
    "sandbox/v1/kling/assets/?$": Expect(ALL_405, BEARER_ONLY),
    "sandbox/v1/kling/assets/download/?$": Expect(BEARER_ONLY, ALL_405),
    "sandbox/v1/kling/videos/motion-upload/?$": Expect(ALL_405, BEARER_ONLY),
    "sandbox/v1/kling/videos/motion-create/?$": Expect(ALL_405, BEARER_ONLY),
    "sandbox/v1/kling/videos/motions/?$": Expect(BEARER_ONLY, ALL_405),
    "sandbox/v1/kling/tasks/?$": Expect(BEARER_ONLY, ALL_405),
    "sandbox/v1/kling/tasks/(?P<task_id>[^/]+)/?$": Expect(
        BEARER_ONLY, ALL_405, lambda w: {"task_id": "1"}
    ),
    "sandbox/v1/kling/scheduler/?$": Expect(BEARER_ONLY, ALL_405),
    "sandbox/v2/account/stats/?$": Expect(BEARER_ONLY, ALL_405),
    "sandbox/v1/kling/scheduler/available/?$": Expect(BEARER_ONLY, ALL_405),
    "sandbox/v1/kling/files/<str:name>": Expect(
        EVERYONE, ALL_405, lambda w: {"name": w.sandbox_file}
    ),
    # each person's API tokens: everyone with a role manages their own (an empty POST is the
    # form with its error; someone else's token, or none, is a 404)
    "tokens/": Expect(READ, (LOGIN, 403, 400, 400, 400)),
    "tokens/<int:pk>/revoke/": Expect(
        (LOGIN, 403, 405, 405, 405), (LOGIN, 403, 404, 404, 404), lambda w: {"pk": 999999}
    ),
    # the useapi-compatible gateway: a personal API token, never a session (401 for every
    # session); its file URLs are signed (a forged one is 403), no header needed
    "useapi/v1/kling/accounts": Expect(BEARER_ONLY, ALL_405),
    "useapi/v1/kling/accounts/<str:email>": Expect(
        BEARER_ONLY, ALL_405, lambda w: {"email": w.account.email}
    ),
    "useapi/v1/kling/scheduler/available": Expect(BEARER_ONLY, ALL_405),
    "useapi/v1/kling/assets": Expect(ALL_405, BEARER_ONLY),
    "useapi/v1/kling/assets/": Expect(ALL_405, BEARER_ONLY),
    "useapi/v1/kling/assets/download": Expect(BEARER_ONLY, ALL_405),
    "useapi/v1/kling/videos/motion-upload": Expect(ALL_405, BEARER_ONLY),
    "useapi/v1/kling/videos/motion-create": Expect(ALL_405, BEARER_ONLY),
    "useapi/v1/kling/videos/motions": Expect(BEARER_ONLY, ALL_405),
    "useapi/v1/kling/tasks/<str:task_id>": Expect(BEARER_ONLY, ALL_405, lambda w: {"task_id": "1"}),
    "useapi/v1/kling/files/<str:signed>/<str:filename>": Expect(
        (403,) * 5, ALL_405, lambda w: {"signed": "forged", "filename": "x.mp4"}
    ),
    "useapi/v1/kling/.*$": Expect((404,) * 5, (404,) * 5),
}

# The Django admin: staff only (the admin role); everyone else is sent to its sign-in page.
NOT_STAFF = (LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN)  # anonymous, no-role, viewer, operator
NOT_STAFF_SITE = (ADMIN_LOGIN,) * 4
ADMIN_SITE = {
    "admin/": Expect((*NOT_STAFF_SITE, 200), (*NOT_STAFF_SITE, SKIP)),
    "admin/login/": Expect((200, 200, 200, 200, 302), (200, 200, 200, 200, SKIP)),
    "admin/logout/": Expect((ADMIN_LOGIN, 302, 302, 302, 405), (ADMIN_LOGIN, 302, 302, 302, SKIP)),
    "admin/password_change/": Expect((*NOT_STAFF_SITE, 200), (*NOT_STAFF_SITE, SKIP)),
    "admin/password_change/done/": Expect((*NOT_STAFF_SITE, 200), (*NOT_STAFF_SITE, SKIP)),
    "admin/autocomplete/": Expect((*NOT_STAFF_SITE, 403), (*NOT_STAFF_SITE, SKIP)),
    "admin/jsi18n/": Expect((*NOT_STAFF_SITE, 200), (*NOT_STAFF_SITE, SKIP)),
    "admin/r/<path:content_type_id>/<path:object_id>/": Expect(
        (*NOT_STAFF_SITE, 302), (*NOT_STAFF_SITE, SKIP), lambda w: _view_on_site(w)
    ),
    "admin/(?P<app_label>auth|django_q|accounts|sandbox|motions|audit|tokens|library|alerts)/$": Expect(  # noqa: E501
        (*NOT_STAFF_SITE, 200), (*NOT_STAFF_SITE, SKIP), lambda w: {"app_label": "auth"}
    ),
    "admin/(?P<url>.*)$": Expect(
        (*NOT_STAFF_SITE, 404), (*NOT_STAFF_SITE, SKIP), lambda w: {"url": "nothing/"}
    ),
}

# What the admin role may do per model in the Django admin: add, and delete an existing row.
# Admins hold every permission of auth, django_q and sandbox and view-only on the rest
# (motionhub/core/staff.py); ModelAdmins of append-only records refuse changes on their own.
ADMIN_MODELS = {
    "auth.group": {"add": 200, "delete": 200},
    "auth.user": {"add": 200, "delete": 200},
    "django_q.schedule": {"add": 200, "delete": 200},
    "django_q.success": {"add": 403, "delete": 200},
    "django_q.failure": {"add": 403, "delete": 200},
    "accounts.connection": {"add": 403, "delete": 403},
    "accounts.klingaccount": {"add": 403, "delete": 403},
    "accounts.accountchange": {"add": 403, "delete": 403},
    "sandbox.sandboxconfig": {"add": 403, "delete": 403},
    "sandbox.account": {"add": 403, "delete": 200},
    "sandbox.asset": {"add": 403, "delete": 200},
    "sandbox.task": {"add": 403, "delete": 200},
    "sandbox.callback": {"add": 403, "delete": 200},
    "sandbox.createcall": {"add": 403, "delete": 200},
    "motions.motiontask": {"add": 403, "delete": 403},
    "audit.auditentry": {"add": 403, "delete": 403},
    "tokens.apitoken": {"add": 403, "delete": 403},
    "library.librarysync": {"add": 403, "delete": 403},
    "library.motiondeletion": {"add": 403, "delete": 403},
    "alerts.alertrule": {"add": 200, "delete": 200},
    "alerts.alert": {"add": 403, "delete": 403},
    "alerts.delivery": {"add": 403, "delete": 403},
}


# django-q2 lists its queue in the admin only when the queue is in the database (ORM broker).
ORM_BROKER_ADMIN_MODELS = {"django_q.ormq": {"add": 403, "delete": 200}}


def admin_models() -> dict[str, dict[str, int]]:
    with_orm_broker = "orm" in settings.Q_CLUSTER
    return {**ADMIN_MODELS, **(ORM_BROKER_ADMIN_MODELS if with_orm_broker else {})}


def _view_on_site(world: World) -> dict:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(world.done_task)
    return {"content_type_id": content_type.pk, "object_id": world.done_task.pk}


def _object_id(label: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from django.apps import apps

        row = apps.get_model(label)._default_manager.order_by("pk").first()
        assert row is not None, f"the world has no {label} row for its admin pages"
        return {"object_id": row.pk}

    return kwargs


def _admin_model_routes() -> dict[str, Expect]:
    routes = {}
    for label, allowed in admin_models().items():
        app_label, model = label.split(".")
        base = f"admin/{app_label}/{model}/"
        obj = _object_id(label)
        routes[base] = Expect((*NOT_STAFF, 200), (*NOT_STAFF, SKIP))
        routes[base + "add/"] = Expect((*NOT_STAFF, allowed["add"]), (*NOT_STAFF, SKIP))
        routes[base + "<path:object_id>/history/"] = Expect(
            (*NOT_STAFF, 200), (*NOT_STAFF, SKIP), obj
        )
        routes[base + "<path:object_id>/delete/"] = Expect(
            (*NOT_STAFF, allowed["delete"]), (*NOT_STAFF, SKIP), obj
        )
        # A view-only admin sees the change page read-only: 200 either way.
        routes[base + "<path:object_id>/change/"] = Expect(
            (*NOT_STAFF, 200), (*NOT_STAFF, SKIP), obj
        )
        routes[base + "<path:object_id>/"] = Expect((*NOT_STAFF, 302), (*NOT_STAFF, SKIP), obj)
    routes["admin/auth/user/<id>/password/"] = Expect(
        (*NOT_STAFF, 200), (*NOT_STAFF, SKIP), lambda w: {"id": w.people["viewer"].pk}
    )
    return routes


def expectations() -> dict[str, Expect]:
    return {**APP, **ADMIN_SITE, **_admin_model_routes()}


def walk(patterns=None, prefix: str = ""):
    """(route, pattern) for every URL pattern, recursively; routes are joined as Django's
    ResolverMatch.route joins them (a nested regex loses its leading ^)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = str(entry.pattern)
        if prefix:
            route = prefix + route.removeprefix("^")
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route)
        else:
            assert isinstance(entry, URLPattern)
            yield route, entry


def url_of(route: str, kwargs: dict) -> str:
    """`route` with its converters and named groups filled from `kwargs`, checked by resolving
    it back to the same route."""
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), url)
    url = "/" + url.replace("^", "").replace("/?$", "/").replace("$", "")
    assert resolve(url.split("?")[0]).route == route, (route, url)
    return url


def test_every_url_pattern_has_an_expectation():
    routes = {route for route, _ in walk()}
    table = set(expectations())

    missing = sorted(routes - table)
    stale = sorted(table - routes)

    assert not missing, f"URL patterns without an expectation (add them to the table): {missing}"
    assert not stale, f"expectations for URL patterns that no longer exist: {stale}"


def test_every_model_in_the_admin_has_an_expectation():
    registered = {model._meta.label_lower for model in admin.site._registry}

    assert registered == set(admin_models())


def _check(response, expected, url: str) -> str | None:
    if expected == SKIP:
        return None
    if expected in (LOGIN, ADMIN_LOGIN):
        login = reverse("login") if expected == LOGIN else reverse("admin:login")
        location = response.get("Location", "")
        if response.status_code == 302 and location.startswith(f"{login}?next="):
            return None
        return f"{response.status_code} → {location or '-'} (wanted a redirect to {login})"
    if response.status_code != expected:
        return f"{response.status_code} (wanted {expected})"
    return None


def _send(client, method: str, url: str, spec: Expect):
    if method == "get":
        return client.get(url)
    if spec.post_json is not None:
        return client.post(url, json.dumps(spec.post_json), content_type="application/json")
    return client.post(url)


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_as_expected(world, role, settings):
    settings.MOTIONHUB_SANDBOX = True
    index = ROLES.index(role)
    table = expectations()
    wrong = []
    client = None
    for route, _pattern in walk():
        spec = table[route]
        url = url_of(route, spec.kwargs(world))
        query = spec.query(world)
        for method in ("get", "post"):
            expected = (spec.get if method == "get" else spec.post)[index]
            if expected == SKIP:
                continue
            target = f"{url}?{query}" if query and method == "get" else url
            if client is None:
                client = client_for(world, role)
            problem = _check(_send(client, method, target, spec), expected, target)
            if "logout" in route:
                client = None  # signed out: the next request signs in afresh
            if problem:
                wrong.append(f"{method.upper()} {target}: {problem}")

    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


POLLED = ["accounts:changes", "library:status", "library:deletions"]


def test_polled_fragments_answer_403_not_a_login_page_when_the_session_is_gone(world):
    urls = [reverse(name) for name in POLLED]
    urls.append(reverse("tasks:status", args=[world.done_task.pk]))

    for url in urls:
        response = client_for(world, "anonymous").get(url, headers=HX)
        assert response.status_code == 403, url


def test_with_the_sandbox_off_its_addresses_do_not_exist_even_with_a_token(world, settings):
    settings.MOTIONHUB_SANDBOX = False
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    for route, _pattern in walk():
        if not route.startswith("sandbox/"):
            continue
        url = url_of(route, APP[route].kwargs(world))
        for role in ROLES:
            client = client_for(world, role)
            assert client.get(url, headers=bearer).status_code == 404, (role, url)
            assert client.post(url, headers=bearer).status_code == 404, (role, url)


def test_the_sandbox_answers_a_bearer_token_not_a_session(world, settings):
    settings.MOTIONHUB_SANDBOX = True
    url = reverse("sandbox:accounts")

    assert client_for(world, "admin").get(url).status_code == 401
    answer = client_for(world, "anonymous").get(url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert [a["email"] for a in answer.json().values()] == [world.account.email]


@pytest.mark.parametrize(
    "path",
    [
        "/media/../settings.py",
        "/media/%2e%2e/%2e%2e/motionhub/settings.py",
        "/media//etc/passwd",
        "/media/motions/videos/../../../../etc/passwd",
        "/media/%2Fetc%2Fpasswd",
    ],
)
def test_media_never_serves_a_file_outside_media_root(world, path):
    response = client_for(world, "admin").get(path)

    # 400: Django's safe_join refuses the path (SuspiciousFileOperation); 404: no such file.
    assert response.status_code in (302, 400, 404), (path, response.status_code)
    if response.status_code == 302:  # normalised by the client to a path outside /media/
        assert not response["Location"].startswith("/media/")
    body = b"".join(response) if response.streaming else response.content
    assert b"root:" not in body and b"SECRET_KEY" not in body


def test_only_the_callback_receiver_the_sandbox_the_gateway_and_the_api_skip_csrf():
    """They take no cookies: a signature or a bearer token (a session gets 401 on the gateway;
    the API checks a session's CSRF token itself, on writes)."""
    exempt = sorted(
        route for route, pattern in walk() if getattr(pattern.callback, "csrf_exempt", False)
    )

    # ninja's root and schema, and our 404 for any other address: reads only.
    api_views = {"api/v1/", "api/v1/openapi.json", "api/v1/(?P<rest>.+)$"}
    assert exempt == sorted(
        r
        for r in APP
        if r.startswith(("hooks/", "sandbox/", "useapi/", "api/v1/")) and r not in api_views
    )
