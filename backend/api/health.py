"""Liveness and readiness probes for orchestrators and load balancers."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return type(exc).__name__
    return None


def _check_broker() -> str | None:
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # any transport error means "not ready"
        return type(exc).__name__
    return None


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Dependencies answer: the database, and the broker when one is configured."""
    checks: dict[str, str] = {}
    failures: dict[str, str] = {}
    database_error = _check_database()
    checks["database"] = "ok" if database_error is None else "error"
    if database_error:
        failures["database"] = database_error
    if settings.CELERY_BROKER_URL:
        broker_error = _check_broker()
        checks["broker"] = "ok" if broker_error is None else "error"
        if broker_error:
            failures["broker"] = broker_error
    else:
        checks["broker"] = "not_configured"
    ready = not failures
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)
