"""Under /api/ every error is the documented JSON shape, whatever DEBUG says (issue 14, point 6).

With DEBUG on, Django answers an unknown URL with its HTML 404 page and a crash with its HTML debug
page (traceback, settings, local variables); a mobile client cannot parse either."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.urls import handler400, handler403, handler404, handler500  # noqa: F401 (as served)
from backend.urls import urlpatterns as real_urlpatterns


class CrashView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        secret_value = "the-database-password-is-hunter2"  # noqa: F841 (a local the debug page shows)
        raise RuntimeError("crash with secret-detail-4711")


urlpatterns = [
    path("api/test-only/crash", CrashView.as_view()),
    path("", include(real_urlpatterns)),
]

ERROR_KEYS = {"code", "message", "fields"}


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) >= ERROR_KEYS
    assert body["error"]["code"] == code
    return body


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404_whatever_debug_says(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/no-such-endpoint", HTTP_ACCEPT="text/html")

    assert_json_error(response, 404, "not_found")
    assert b"<html" not in response.content.lower()


@pytest.mark.django_db
def test_an_unknown_nested_api_url_under_debug_is_json_for_an_api_client(client_for, canvasser_a):
    with override_settings(DEBUG=True):
        response = client_for(canvasser_a).post("/api/turfs/1/no-such-action", {}, format="json")

    assert_json_error(response, 404, "not_found")


@pytest.mark.contract_allows_500
@pytest.mark.parametrize("debug", [True, False])
@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.django_db
def test_a_crash_under_api_is_a_json_500_without_internals_whatever_debug_says(client, debug):
    client.raise_request_exception = False

    with override_settings(DEBUG=debug):
        response = client.get("/api/test-only/crash", HTTP_ACCEPT="text/html")

    body = assert_json_error(response, 500, "server_error")
    assert body["error"]["message"] == "Internal server error."
    for leak in (b"secret-detail-4711", b"hunter2", b"Traceback", b"RuntimeError", b"SECRET_KEY"):
        assert leak not in response.content


@pytest.mark.django_db
def test_outside_api_debug_keeps_django_pages(client):
    with override_settings(DEBUG=True):
        response = client.get("/no-such-page", HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
