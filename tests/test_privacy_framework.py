"""Erasure and retention run every app's registered handler and audit the outcome.

The apps' own handlers are tested in their test packages; here a tiny registered handler
stands in for them to pin the framework's contract.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from backend.audit.models import AuditEvent
from backend.privacy import registry
from backend.privacy.services import retention_purge

pytestmark = pytest.mark.django_db

erased: list[int] = []
cutoffs: list[dt.datetime] = []


@registry.register_eraser("volunteer")
def _erase_test_volunteer(subject_id: int, *, actor: object) -> dict[str, int]:
    if subject_id == 404:
        return {}
    erased.append(subject_id)
    return {"test_rows": 1}


@registry.register_purger("test-notes")
def _purge_test_notes(cutoff: dt.datetime) -> dict[str, int]:
    cutoffs.append(cutoff)
    return {"notes_cleared": 3}


def test_organizer_erases_a_person_and_the_erasure_is_audited(client_for, organizer):
    response = client_for(organizer).post("/api/privacy/erasures", {"kind": "volunteer", "id": 41})

    assert response.status_code == 201
    assert response.json()["counts"]["test_rows"] == 1
    assert 41 in erased
    event = AuditEvent.objects.get(action="privacy.erased")
    assert (event.actor, event.target_type, event.target_id) == (organizer, "volunteer", "41")


def test_erasing_nobody_is_404(client_for, organizer):
    response = client_for(organizer).post("/api/privacy/erasures", {"kind": "volunteer", "id": 404})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="privacy.erased").exists()


@pytest.mark.parametrize("who", ["lead_a", "canvasser_a"])
def test_only_organizers_erase(request, client_for, who):
    response = client_for(request.getfixturevalue(who)).post(
        "/api/privacy/erasures", {"kind": "volunteer", "id": 41}
    )

    assert response.status_code == 403


def test_unknown_kind_is_a_400_naming_the_field(client_for, organizer):
    response = client_for(organizer).post("/api/privacy/erasures", {"kind": "donor", "id": 1})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["kind"]


def test_erase_person_command(capsys):
    call_command("erase_person", "volunteer", "42")

    assert 42 in erased
    with pytest.raises(CommandError):
        call_command("erase_person", "volunteer", "404")


def test_retention_purge_uses_the_configured_period_and_is_audited(settings):
    settings.RETENTION_DAYS = 30
    now = timezone.now()

    results = retention_purge(now=now)

    assert results["test-notes"] == {"notes_cleared": 3}
    assert cutoffs[-1] == now - dt.timedelta(days=30)
    assert AuditEvent.objects.filter(action="privacy.retention_purge").count() == 1


def test_retention_purge_is_scheduled_daily():
    from backend.celery import app

    entry = app.conf.beat_schedule["privacy-retention-purge"]
    assert entry["task"] == "privacy.retention_purge"
    assert entry["schedule"] == 24 * 60 * 60
