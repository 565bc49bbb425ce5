"""Every error has one JSON shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.permissions import IsOrganizer
from backend.errors import ConflictError
from backend.urls import urlpatterns as real_urlpatterns

pytestmark = pytest.mark.django_db


class ConflictView(APIView):
    permission_classes: list = []
    authentication_classes: list = []

    def get(self, request):
        raise ConflictError("Overlaps shift 7.", code="shift_overlap", extra={"other_shift": 7})


class CrashView(APIView):
    permission_classes: list = []
    authentication_classes: list = []

    def get(self, request):
        raise RuntimeError("secret database password in a stack trace")


class OrganizersOnlyView(APIView):
    permission_classes = [IsOrganizer]

    def get(self, request):
        return Response({"secret": "organizer data"})


urlpatterns = [
    path("test/conflict", ConflictView.as_view()),
    path("test/crash", CrashView.as_view()),
    path("test/organizers-only", OrganizersOnlyView.as_view()),
    *real_urlpatterns,
]
handler404 = "backend.api.errors.handler404"
handler500 = "backend.api.errors.handler500"


def assert_error_shape(body: dict) -> None:
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    assert isinstance(body["error"]["code"], str)
    assert isinstance(body["error"]["message"], str)
    assert isinstance(body["error"]["fields"], dict)


def test_400_names_the_field(api_client):
    response = api_client.post("/api/auth/login", {"username": "", "password": "x"})

    assert response.status_code == 400
    assert_error_shape(response.json())
    assert response.json()["error"]["fields"] == {"username": ["This field may not be blank."]}


def test_401(api_client):
    response = api_client.get("/api/me")

    assert response.status_code == 401
    assert_error_shape(response.json())


@override_settings(ROOT_URLCONF=__name__)
def test_403_when_the_role_lacks_the_right(client_for, canvasser_a):
    response = client_for(canvasser_a).get("/test/organizers-only")

    assert response.status_code == 403
    assert_error_shape(response.json())
    assert response.json()["error"]["code"] == "permission_denied"


def test_404_for_unknown_api_route(api_client):
    response = api_client.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_405(client_for, canvasser_a):
    response = client_for(canvasser_a).delete("/api/me")

    assert response.status_code == 405
    assert_error_shape(response.json())
    assert response.json()["error"]["code"] == "method_not_allowed"


@override_settings(ROOT_URLCONF=__name__)
def test_409_carries_its_code_and_details(api_client):
    response = api_client.get("/test/conflict")

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "shift_overlap",
            "message": "Overlaps shift 7.",
            "fields": {},
            "other_shift": 7,
        }
    }


def test_429(api_client, canvasser_a, settings):
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 1
    api_client.post("/api/auth/login", {"username": "canvasser_a", "password": "x"})

    response = api_client.post("/api/auth/login", {"username": "canvasser_a", "password": "x"})

    assert response.status_code == 429
    assert_error_shape(response.json())


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_500_is_json_and_leaks_nothing(client):
    client.raise_request_exception = False

    response = client.get("/test/crash")

    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "server_error", "message": "Internal server error.", "fields": {}}
    }
    assert b"secret" not in response.content


def test_anonymous_requests_are_throttled_by_default_with_a_retry_hint(api_client, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    # DRF binds the rates when the class is defined; lower the anonymous one for this test.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})

    answers = [api_client.get("/api/public/events") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert_error_shape(answers[2].json())
    assert answers[2].json()["error"]["code"] == "throttled"
    assert answers[2].json()["error"]["retry_after_seconds"] > 0


def test_openapi_schema_and_offline_docs(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    docs = api_client.get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/me" in schema.json()["paths"]
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    # Every script and stylesheet comes from this server, none from a CDN. (Looking for "cdn"
    # anywhere in the page was flaky: the page embeds a random CSRF token.)
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any(url.endswith(".js") for url in assets)
    assert [url for url in assets if not url.startswith("/")] == []
    assert [url for url in assets if url.startswith("//")] == []
