"""The OpenAPI schema is valid, fully generatable, and the contract checker that every test runs
under (tests/contract.py, the `_api_contract` fixture) catches each kind of drift."""

from __future__ import annotations

import json
import re

import pytest
from django.http import HttpResponse, JsonResponse
from django.test.client import Client
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV30SpecValidator

from tests import contract
from tests.generated_client import WARNING_MARKERS, module_name

ME = {
    "id": 1,
    "username": "u",
    "first_name": "",
    "last_name": "",
    "role": "canvasser",
    "teams": [],
    "permissions": [],
    "language": "en",
    "spoken_languages": [],
    "phone_last4": "",
    "safety_texts": False,
}


def _served_schema(client: Client) -> dict:
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


@pytest.mark.django_db
def test_the_served_schema_is_valid_for_an_independent_validator(client):
    schema = _served_schema(client)

    errors = [error.message for error in OpenAPIV30SpecValidator(schema).iter_errors()]

    assert errors == []
    validate(schema)


def test_the_generator_builds_every_operation_without_a_warning(generated_client):
    warnings = [
        line for line in generated_client.output.splitlines() if WARNING_MARKERS.search(line)
    ]
    assert warnings == [], generated_client.output

    operation_ids = [op["operationId"] for _, _, op in _operations(generated_client.schema)]
    assert len(operation_ids) > 80
    assert [op for op in operation_ids if not re.fullmatch(r"[a-z][a-z0-9_]*", op)] == []
    missing = {
        op for op in operation_ids if module_name(op) not in generated_client.operation_modules()
    }
    assert missing == set()


@pytest.mark.django_db
def test_every_operation_documents_the_generic_errors(client):
    schema = _served_schema(client)

    for method, path, operation in _operations(schema):
        codes = set(operation["responses"])
        assert {"400", "406"} <= codes, (method, path)
        # The provider's webhooks (texts and reminder calls) are never throttled.
        webhook = path in ("/api/sms/inbound", "/api/sms/status") or path.startswith(
            "/api/voice/calls/"
        )
        assert ("429" in codes) == (not webhook), path
        if any(operation.get("security", [])):
            assert {"401", "403"} <= codes, (method, path)
        elif path.startswith("/api/public/"):
            assert not {"401", "403"} & codes, (method, path)
        if method in ("post", "put", "patch"):
            assert {"413", "415"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        assert "500" not in codes and "default" not in codes, (method, path)
        for code, response in operation["responses"].items():
            if code >= "400":
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }


@pytest.mark.django_db
def test_the_conflicts_the_views_raise_are_documented(client):
    operations = {op["operationId"]: op for _, _, op in _operations(_served_schema(client))}
    with_409 = {name for name, op in operations.items() if "409" in op["responses"]}

    assert with_409 == {
        "endorsements_hide_create",
        "endorsements_restore_create",
        "public_endorsements_create",
        "caucuses_links_create",
        "caucuses_sites_create",
        "events_attendance_create",
        "events_complete_create",
        "events_partial_update",
        "events_shifts_create",
        "logs_destroy",
        "logs_partial_update",
        "me_volunteer_create",
        "me_volunteer_verify_create",
        "planks_create",
        "public_me_signups_cancel_create",
        "public_shifts_signups_create",
        "safety_sessions_check_in_create",
        "safety_sessions_create",
        "safety_sessions_end_create",
        "shifts_partial_update",
        "shifts_signups_create",
        "signups_attendance_create",
        "sms_reviews_resolve_create",
        "turfs_assignments_create",
        "turfs_auto_cut_create",
        "turfs_create",
        "turfs_status_create",
        # Sensitive events and know your rights (docs/safety.md).
        "kyr_send_create",
        "incidents_lift_create",
        "signups_address_release_create",
        "signups_approve_create",
        "signups_decline_create",
    }


@pytest.mark.django_db
def test_no_default_breaks_its_own_constraints(client):
    schema = _served_schema(client)
    found = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if node.get("default") == "" and (
                node.get("minLength")
                or node.get("format") in ("email",)
                or node.get("pattern") == r"^\d{5}$"
            ):
                found.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(schema, "")
    assert found == []


def test_every_test_client_is_checked_against_the_contract():
    assert Client.request.__name__ == "checked"


def _request(status: int = 200, body: object = ME, **kwargs: object) -> HttpResponse:
    return JsonResponse(body, status=status, safe=False, **kwargs)  # type: ignore[arg-type]


def error(code: str = "not_found") -> dict:
    return {"error": {"code": code, "message": "x", "fields": {}}}


@pytest.mark.parametrize(
    ("method", "path", "response", "complaint"),
    [
        ("GET", "/api/me", _request(409, error("conflict")), "status 409 is not documented"),
        ("GET", "/api/me", _request(body={**ME, "id": "one"}), "'one' is not of type 'integer'"),
        ("GET", "/api/me", _request(body={**ME, "phone": "x"}), "'phone' was unexpected"),
        ("GET", "/api/me", _request(body={"id": 1}), "'username' is a required property"),
        ("GET", "/api/me", HttpResponse("<html>", content_type="text/html"), "content type"),
        ("GET", "/api/nope", HttpResponse("<html>", status=404), "not JSON"),
        ("GET", "/api/nope", _request(200, {}), "expected 404"),
        ("DELETE", "/api/me", _request(204, {}), "expected 405"),
        ("GET", "/api/me", _request(500, error("server_error")), "never part of the contract"),
        ("GET", "/api/me", _request(401, {"detail": "no"}), "'error' is a required property"),
        (
            "GET",
            "/api/turfs/7/walk-list",
            _request(body={"turf": None, "stops": []}),
            "None for not nullable",
        ),
    ],
)
def test_the_contract_checker_catches_each_drift(method, path, response, complaint):
    with pytest.raises(contract.ContractError, match=complaint.replace("(", r"\(")):
        contract.check_response(method, path, response)


@pytest.mark.parametrize(
    ("method", "path", "response", "allow_500"),
    [
        ("GET", "/api/me", _request(), False),
        ("GET", "/api/me", _request(401, error("not_authenticated")), False),
        ("GET", "/api/nope", _request(404, error()), False),
        ("PUT", "/api/me", _request(405, error("method_not_allowed")), False),
        ("GET", "/api/me", _request(500, error("server_error")), True),
        ("OPTIONS", "/api/me", HttpResponse(""), False),
        ("GET", "/healthz", HttpResponse("ok", content_type="text/plain"), False),
    ],
)
def test_the_contract_checker_accepts_what_is_documented(method, path, response, allow_500):
    contract.check_response(method, path, response, allow_500=allow_500)


@pytest.mark.django_db
def test_the_generic_errors_really_happen_and_are_json(api_client, canvasser_a, client_for):
    bad_token = api_client.get("/api/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bad_token.status_code == 401
    assert bad_token.json()["error"]["code"] == "authentication_failed"

    bad_version = client_for(canvasser_a).get("/api/me", HTTP_ACCEPT="application/json; version=9")
    assert bad_version.status_code == 406
    assert bad_version.json()["error"]["code"] == "not_acceptable"

    past_the_last_page = client_for(canvasser_a).get("/api/public/events?page=99")
    assert past_the_last_page.status_code == 404

    wrong_method = client_for(canvasser_a).delete("/api/me")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_a_required_text_of_only_spaces_is_refused_by_the_schema_as_by_the_server(
    client, client_for, organizer
):
    """DRF strips whitespace before its blank check: the schema must not call "  " valid."""
    schema = _served_schema(client)
    label = schema["components"]["schemas"]["ChoiceOptionRequest"]["properties"]["label"]
    question = {"code": "q", "text": "Which?", "kind": "single_choice"}
    body = {"name": "S", "questions": [{**question, "choices": [{"code": "a", "label": "  "}]}]}

    response = client_for(organizer).post("/api/scripts", body, format="json")

    assert response.status_code == 400
    assert "questions.0.choices.0.label" in response.json()["error"]["fields"]
    assert re.fullmatch(label["pattern"], "  ") is None
    assert re.fullmatch(label["pattern"], "\x1f") is None  # str.strip() strips it too
    assert re.fullmatch(label["pattern"], " Rides ") is not None
