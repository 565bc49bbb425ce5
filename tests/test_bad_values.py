"""One value the database would refuse is a 400 naming the field, never a 500 and never a whole
batch lost; a time without a UTC offset is refused, not read as UTC."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def fields_of(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "2026-01-10T00:00:00-20:00"}, "since"),
        ({"until": "2026-01-10T00:00:00+16:00"}, "until"),
        ({"since": "2026-01-10T00:00:00"}, "since"),
        ({"actor": str(2**70)}, "actor"),
    ],
)
def test_audit_list_refuses_what_the_database_cannot_take(client_for, organizer, query, field):
    assert field in fields_of(client_for(organizer).get("/api/audit-events", query))


def test_audit_list_still_takes_a_normal_offset(client_for, organizer, lead_a):
    response = client_for(organizer).get(
        "/api/audit-events", {"since": "2026-01-10T00:00:00-06:00"}
    )
    assert response.status_code == 200
    assert client_for(lead_a).get("/api/audit-events", {"actor": str(2**70)}).status_code == 403
