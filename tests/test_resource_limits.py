from __future__ import annotations

import json

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_oversized_json_body_is_413_before_anything_is_parsed(api_client, settings):
    settings.MAX_REQUEST_BYTES = 2048
    body = json.dumps({"username": "x" * 5000, "password": "y"})

    response = api_client.generic("POST", "/api/auth/login", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.json()["error"]["limit_bytes"] == 2048


def test_bad_content_length_is_400(client):
    response = client.generic(
        "POST", "/api/auth/login", b"{}", content_type="application/json", CONTENT_LENGTH="lots"
    )

    assert response.status_code == 400


def test_page_size_is_capped(client_for, organizer):
    from backend.audit.models import AuditEvent

    AuditEvent.objects.bulk_create([AuditEvent(action="x") for _ in range(205)])

    response = client_for(organizer).get("/api/audit-events", {"page_size": 100000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 200
    assert response.json()["count"] == 205


def test_overlong_strings_are_400_naming_the_field(api_client):
    response = api_client.post("/api/auth/login", {"username": "u" * 151, "password": "x"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["username"]


@pytest.mark.postgres
def test_postgres_statement_timeout_is_set():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
