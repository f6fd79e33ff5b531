"""The OpenAPI schema at /api/v1/openapi.json: a valid OpenAPI document, covering every route
under /api/v1/ with its methods, and readable without a token (it holds no data)."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate

from motionhub.api.urls import api


def _api_routes() -> set[str]:
    """Every URL pattern the project serves under /api/v1/, as an OpenAPI path."""
    found = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            # Ours, "unknown", answers any other address under /api/v1/ with a 404 problem.
            elif (
                isinstance(pattern, URLPattern)
                and route.startswith("api/v1/")
                and (pattern.name != "unknown")
            ):
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_schema_is_valid_and_covers_every_route(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    # ninja's own two: the schema itself, and its root (no docs page behind it: a 404).
    routes = _api_routes() - {"/api/v1/openapi.json", "/api/v1/"}
    assert len(routes) == 14
    assert routes == set(schema["paths"])
    assert client.get("/api/v1/").status_code == 404
    # Every operation of every router, with its method.
    operations = {
        (f"/api/v1{prefix}{path}".rstrip("/"), method.lower())
        for prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    assert len(operations) == 14
    methods = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    assert {(re.sub(r"\{int:", "{", p), m) for p, m in operations} == methods


def test_every_operation_says_bearer_auth_and_its_problems(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["PersonAuth"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"PersonAuth": []}], (path, method)
            assert {"401", "403", "429"} <= set(operation["responses"]), (path, method)
            if method == "post":
                assert "201" in operation["responses"] or "200" in operation["responses"]


def test_every_task_in_the_schema_has_an_id_and_a_state(client, db):
    task = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["TaskOut"]
    assert {"id", "state"} <= set(task["required"])
