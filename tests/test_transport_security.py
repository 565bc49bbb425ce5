"""Production transport settings: HTTPS only, HSTS, secure cookies, strict CORS, headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_settings(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="s" * 60,
        ALLOWED_HOSTS="field.example.org",
        FIELD_ENCRYPTION_KEYS="Xv0h0PcGHZP2q4p2bV5yJ3n9m0mJ1o5jvYQ8p3F5m2c=",
        PII_HASH_KEY="h" * 40,
        **extra,
    )
    code = (
        "import backend.settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_CONTENT_TYPE_NOSNIFF, "
        "s.X_FRAME_OPTIONS, s.CORS_ALLOWED_ORIGINS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return {"out": result.stdout.strip()}


def test_production_forces_https_hsts_and_secure_cookies():
    out = production_settings()["out"]

    assert out == "True 31536000 True True True DENY []"


def test_cors_allows_only_configured_origins():
    out = production_settings(CORS_ALLOWED_ORIGINS="https://app.example.org")["out"]

    assert out.endswith("['https://app.example.org']")


@pytest.mark.django_db
def test_cors_header_only_for_an_allowed_origin(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]

    allowed = client.get("/healthz", HTTP_ORIGIN="https://app.example.org")
    api_allowed = client.options(
        "/api/me", HTTP_ORIGIN="https://app.example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    other = client.options(
        "/api/me", HTTP_ORIGIN="https://evil.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )

    assert "access-control-allow-origin" not in allowed.headers  # CORS only on /api/
    assert api_allowed.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "access-control-allow-origin" not in other.headers


def test_security_headers_on_every_response(client):
    response = client.get("/healthz")

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
