from __future__ import annotations

import pytest


def test_healthz_answers_without_touching_dependencies(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "not_configured"},
    }


@pytest.mark.django_db
def test_readyz_checks_the_broker_when_configured(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"

    response = client.get("/readyz")

    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"] == {"database": "ok", "broker": "error"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_connection_survives_a_database_restart():
    """A killed server connection (as after a PostgreSQL restart) is replaced on the next request.

    Goes through Django's real WSGI handler: the test client switches off the request-start
    connection check that CONN_HEALTH_CHECKS relies on.
    """
    import json

    from django.conf import settings as django_settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import RequestFactory

    def wsgi_get(path: str) -> tuple[str, dict]:
        environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
        status_line: list[str] = []
        body = WSGIHandler()(environ, lambda status, headers: status_line.append(status))
        return status_line[0], json.loads(b"".join(body))

    assert wsgi_get("/readyz")[0].startswith("200")
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    import psycopg

    settings_dict = connection.settings_dict
    # Behind PgBouncer our connection is PgBouncer's: its admin console drops it (and resumes).
    behind_pgbouncer = django_settings.DATABASE_POOLER == "pgbouncer"
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="pgbouncer" if behind_pgbouncer else settings_dict["NAME"],
        autocommit=True,
    ) as admin:
        if behind_pgbouncer:
            admin.execute(f'KILL "{settings_dict["NAME"]}"')
            admin.execute(f'RESUME "{settings_dict["NAME"]}"')
        else:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    status, body = wsgi_get("/readyz")

    assert status.startswith("200"), body
    assert connection.connection.info.backend_pid != pid
