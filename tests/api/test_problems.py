"""Errors are RFC 9457 problem details: application/problem+json with type, title, status,
detail, and `errors` for field errors — for every status the API answers with."""

from __future__ import annotations

from motionhub.tasks.models import State
from tests.api.conftest import assert_problem


def test_each_status_has_its_type_and_title(api_as, make_task, db):
    operator, viewer = api_as("operator"), api_as("viewer")
    started = make_task(state=State.SUBMITTED)
    cases = {
        400: operator.post(f"/api/v1/tasks/{started.pk}/cancel", **{"Idempotency-Key": ""}),
        401: api_as("no token").get("/api/v1/tasks"),
        403: viewer.post(f"/api/v1/tasks/{started.pk}/cancel"),
        404: viewer.get("/api/v1/batches/404"),
        409: operator.post(f"/api/v1/tasks/{started.pk}/cancel"),
        422: viewer.get("/api/v1/tasks", {"limit": 0}),
    }
    kinds = {400: "bad-idempotency-key", 401: "unauthorized", 403: "forbidden",
             404: "not-found", 409: "conflict", 422: "invalid"}  # fmt: skip
    titles = set()
    for status, response in cases.items():
        body = assert_problem(response, status)
        assert body["type"] == f"urn:motionhub:problem:{kinds[status]}"
        assert body["title"] and body["detail"]
        titles.add(body["title"])
    assert len(titles) == len(cases)


def test_field_errors_name_their_field(viewer_api, db):
    body = assert_problem(viewer_api.get("/api/v1/tasks", {"limit": "many"}), 422)
    assert body["errors"] == [{"field": "limit", "detail": body["errors"][0]["detail"]}]


def test_no_secret_in_any_answer(api_as, account, db):
    body = api_as("admin").get("/api/v1/accounts").content.decode()
    assert "apiTokenSecret" not in body and "token" not in body.lower()


def test_a_body_that_is_not_json_is_a_400(operator_api, db):
    response = operator_api.client.post(
        "/api/v1/motions/create", b"{not json", content_type="application/json",
        headers=operator_api.headers,
    )  # fmt: skip
    assert_problem(response, 400, "not valid JSON")


def test_an_unknown_address_and_a_missing_field_are_problems_too(operator_api, db):
    assert_problem(operator_api.get("/api/v1/taks"), 404, "/api/v1/taks")
    body = assert_problem(operator_api.post("/api/v1/motions/upload", {"name": "x"}), 422)
    assert body["errors"] == [{"field": "video", "detail": "This field is required."}]


def test_a_method_an_address_does_not_take_is_a_405_problem(viewer_api, db):
    response = viewer_api.client.put("/api/v1/tasks", headers=viewer_api.headers)
    body = assert_problem(response, 405, "PUT")
    assert response["Allow"] == "GET" and body["type"] == "about:blank"
