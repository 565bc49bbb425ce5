"""Erasure and retention run every app's registered handler and audit the outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from backend.audit.models import AuditEvent
from backend.privacy import registry
from backend.privacy.services import retention_purge
from events.models import Volunteer
from events.services.volunteers import phone_normalize, sms_consent_record, volunteer_get_or_create
from messaging.models import SmsConsent

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer() -> Volunteer:
    person, _ = volunteer_get_or_create(
        phone=phone_normalize("+15155550144"),
        name="Rosa Erasable",
        email="rosa@example.org",
        zip_code="50309",
    )
    sms_consent_record(volunteer=person, granted=True, method="web")
    return person


def test_every_kind_of_person_has_erasers():
    assert set(registry.PERSON_KINDS) == set(registry.erasable_kinds())


def test_organizer_erases_a_volunteer_everywhere_and_it_is_audited(
    client_for, organizer, volunteer
):
    response = client_for(organizer).post(
        "/api/privacy/erasures", {"kind": "volunteer", "id": volunteer.pk}
    )

    assert response.status_code == 201
    assert response.json()["counts"]["volunteers"] == 1
    volunteer.refresh_from_db()
    assert (volunteer.name, volunteer.phone, volunteer.email, volunteer.zip_code) == (
        "(erased)",
        "",
        "",
        "",
    )
    assert not SmsConsent.objects.filter(volunteer=volunteer).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM events_volunteer WHERE id = %s", [volunteer.pk])
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert "Rosa" not in raw and "5550144" not in raw and "rosa@" not in raw
    event = AuditEvent.objects.get(action="privacy.erased")
    assert (event.actor, event.target_type, event.target_id) == (
        organizer,
        "volunteer",
        str(volunteer.pk),
    )
    assert "Rosa" not in str(event.details)


def test_erasing_nobody_is_404(client_for, organizer):
    response = client_for(organizer).post(
        "/api/privacy/erasures", {"kind": "volunteer", "id": 424242}
    )

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="privacy.erased").exists()


@pytest.mark.parametrize("who", ["lead_a", "canvasser_a"])
def test_only_organizers_erase(request, client_for, who, volunteer):
    response = client_for(request.getfixturevalue(who)).post(
        "/api/privacy/erasures", {"kind": "volunteer", "id": volunteer.pk}
    )

    assert response.status_code == 403
    volunteer.refresh_from_db()
    assert volunteer.name == "Rosa Erasable"


def test_unknown_kind_is_a_400_naming_the_field(client_for, organizer):
    response = client_for(organizer).post("/api/privacy/erasures", {"kind": "donor", "id": 1})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["kind"]


def test_erase_person_command(volunteer):
    call_command("erase_person", "volunteer", str(volunteer.pk))

    volunteer.refresh_from_db()
    assert volunteer.name == "(erased)"
    with pytest.raises(CommandError):
        call_command("erase_person", "volunteer", "424242")


def test_retention_purge_runs_every_app_and_is_audited(settings):
    settings.RETENTION_DAYS = 30
    now = timezone.now()

    results = retention_purge(now=now)

    assert set(results) == set(registry.purgers())
    assert {"sms_inbound_replies", "canvass-notes-locations"} <= set(results)
    event = AuditEvent.objects.get(action="privacy.retention_purge")
    assert event.details["cutoff"] == (now - dt.timedelta(days=30)).isoformat()


def test_retention_purge_is_scheduled_daily():
    from backend.celery import app

    entry = app.conf.beat_schedule["privacy-retention-purge"]
    assert entry["task"] == "privacy.retention_purge"
    assert entry["schedule"] == 24 * 60 * 60
