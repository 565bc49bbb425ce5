"""The console's incident, endorsement-moderation and review-reason pages: they call the same
services and selectors as the API (field leads see only their teams' incidents, another team's is
a 404; moderation is for organizers), keep CSRF on and show a service's refusal next to its field
with nothing stored or sent."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from backend.audit.models import AuditEvent
from backend.crypto import keyed_hash
from canvass.console.forms import INCIDENT_KINDS, REVIEW_REASONS
from canvass.models import (
    ConversationLog,
    Endorsement,
    EndorsementStatus,
    Incident,
    IncidentKind,
    LogReview,
    ReviewReason,
    Turf,
)
from canvass.services.incidents import incident_declare
from messaging.models import SmsMessage
from tests.canvass.conftest import assign, make_household, make_turf
from tests.console.conftest import console_login
from tests.messaging import conftest as sms_fixtures

sms_settings = sms_fixtures.sms_settings  # autouse: the locmem SMS backend

pytestmark = pytest.mark.django_db

INSTRUCTION = "Stop knocking, meet at the van on Grand Ave."


def with_phone(user: Any, n: int) -> Any:
    number = f"+1515555{n:04d}"
    user.phone, user.phone_hash = number, keyed_hash(number)
    user.safety_texts_consent_at = timezone.now() - timedelta(days=1)
    user.save()
    return user


@pytest.fixture
def organizer_client(organizer: Any) -> Client:
    client = Client()
    assert console_login(client, organizer).status_code == 302
    return client


@pytest.fixture
def turf_a(team_a: Any, canvasser_a: Any) -> Turf:
    turf = make_turf(team_a, [make_household(41.586, -93.624)], name="Grid A1")
    assign(turf, with_phone(canvasser_a, 1))
    return turf


def endorsement(n: int = 1, **extra: Any) -> Endorsement:
    values: dict[str, Any] = {
        "kind": "person",
        "name": f"Ana Garcia{n}",
        "city": "Des Moines",
        "zip_code": "50309",
        "status": EndorsementStatus.CONFIRMED,
        "confirmed_at": timezone.now(),
        "listed_publicly": True,
        **extra,
    }
    return Endorsement.objects.create(**values)


# --- Incidents ------------------------------------------------------------------------------


def test_the_form_lists_the_same_kinds_and_reasons_as_the_models():
    assert [code for code, _ in INCIDENT_KINDS] == list(IncidentKind.values)
    assert [code for code, _ in REVIEW_REASONS] == list(ReviewReason.values)


def test_a_field_lead_declares_over_a_turf_list_and_lifts_it(lead_a_client, turf_a, team_b):
    other = make_turf(team_b, [make_household(41.60, -93.60)], name="Turf B")
    page = lead_a_client.get("/console/incidents").content.decode()
    assert f'id="incident-turf-{turf_a.pk}"' in page
    assert "Turf B" not in page

    declared = lead_a_client.post(
        "/console/incidents",
        {"kind": "police", "instruction": INSTRUCTION, "turfs": [str(turf_a.pk)]},
    )

    incident = Incident.objects.get()
    assert declared.status_code == 302
    assert declared["Location"] == f"/console/incidents/{incident.pk}"
    assert list(incident.incident_turfs.values_list("turf_id", flat=True)) == [turf_a.pk]
    assert (incident.notified_count, incident.unreachable_count) == (1, 0)
    assert SmsMessage.objects.filter(kind="incident").count() == 1
    turf_a.refresh_from_db()
    other.refresh_from_db()
    assert turf_a.paused_at is not None and other.paused_at is None
    detail = lead_a_client.get(declared["Location"]).content.decode()
    assert "Incident declared: 1 turf paused, 1 person texted." in detail
    assert 'id="incident-notified">1<' in detail
    assert "Paused: safety incident" in lead_a_client.get("/console/turfs").content.decode()
    assert 'id="turf-paused"' in lead_a_client.get(f"/console/turfs/{turf_a.pk}").content.decode()

    lifted = lead_a_client.post(f"/console/incidents/{incident.pk}/lift")

    assert lifted.status_code == 302
    incident.refresh_from_db()
    turf_a.refresh_from_db()
    assert incident.lifted_at is not None and turf_a.paused_at is None
    assert incident.lift_notified_count == 1
    again = lead_a_client.post(f"/console/incidents/{incident.pk}/lift", follow=True)
    assert "already lifted" in again.content.decode()
    assert SmsMessage.objects.filter(kind="incident_lifted").count() == 1


def test_an_empty_area_and_a_screened_instruction_are_shown_next_to_the_field(
    lead_a_client, turf_a
):
    empty = lead_a_client.post("/console/incidents", {"kind": "police", "instruction": INSTRUCTION})
    screened = lead_a_client.post(
        "/console/incidents",
        {"kind": "police", "instruction": "Undocumented family at 12 Elm", "turfs": [turf_a.pk]},
    )
    nowhere = lead_a_client.post(
        "/console/incidents",
        {
            "kind": "weather",
            "instruction": INSTRUCTION,
            "polygon": '{"type": "Polygon", "coordinates": [[[-91, 42.5], [-90.99, 42.5], '
            "[-90.99, 42.51], [-91, 42.5]]]}",
        },
    )

    assert (empty.status_code, screened.status_code, nowhere.status_code) == (400, 400, 400)
    assert 'id="area-errors"' in empty.content.decode()
    assert "Give exactly one of polygon, circle or turfs." in empty.content.decode()
    screened_page = screened.content.decode()
    assert 'class="field-error"' in screened_page and "immigration" in screened_page.lower()
    assert "No turf of your teams is in this area." in nowhere.content.decode()
    assert not Incident.objects.exists() and not SmsMessage.objects.exists()
    assert not Turf.objects.filter(paused_at__isnull=False).exists()


def test_a_polygon_drawn_on_the_map_pauses_the_turf_inside_it(lead_a_client, turf_a):
    ring = [[-93.627, 41.583], [-93.621, 41.583], [-93.621, 41.589], [-93.627, 41.589]]
    polygon = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    declared = lead_a_client.post(
        "/console/incidents",
        {"kind": "weather", "instruction": INSTRUCTION, "polygon": json.dumps(polygon)},
    )

    assert declared.status_code == 302
    incident = Incident.objects.get()
    assert incident.area_kind == "polygon"
    assert list(incident.incident_turfs.values_list("turf_id", flat=True)) == [turf_a.pk]
    both = lead_a_client.post(
        "/console/incidents",
        {
            "kind": "weather",
            "instruction": INSTRUCTION,
            "polygon": json.dumps(polygon),
            "turfs": [turf_a.pk],
        },
    )
    assert both.status_code == 400
    assert "Give exactly one of polygon, circle or turfs." in both.content.decode()
    assert Incident.objects.count() == 1


def test_another_teams_incident_is_a_404_and_cannot_be_lifted(lead_a_client, lead_b, team_b):
    turf_b = make_turf(team_b, [make_household(41.60, -93.60)], name="Turf B")
    incident = incident_declare(
        actor=lead_b, kind="police", instruction=INSTRUCTION, turf_ids=[turf_b.pk]
    )

    assert lead_a_client.get(f"/console/incidents/{incident.pk}").status_code == 404
    assert lead_a_client.post(f"/console/incidents/{incident.pk}/lift").status_code == 404
    listing = lead_a_client.get("/console/incidents").content.decode()
    assert f'id="incident-{incident.pk}"' not in listing and "Turf B" not in listing
    incident.refresh_from_db()
    assert incident.lifted_at is None
    # Another team's turf id typed into the form is refused like one that does not exist.
    forged = lead_a_client.post(
        "/console/incidents",
        {"kind": "police", "instruction": INSTRUCTION, "turfs": [turf_b.pk]},
    )
    assert forged.status_code == 400
    assert "No such turf" in forged.content.decode()
    assert Incident.objects.count() == 1


def test_an_organizers_incident_over_two_teams_shows_the_leads_turf_only_and_is_theirs_to_lift(
    lead_a_client, organizer, turf_a, team_b
):
    turf_b = make_turf(team_b, [make_household(41.60, -93.60)], name="Turf B")
    incident = incident_declare(
        actor=organizer, kind="police", instruction=INSTRUCTION, turf_ids=[turf_a.pk, turf_b.pk]
    )

    detail = lead_a_client.get(f"/console/incidents/{incident.pk}").content.decode()
    refused = lead_a_client.post(f"/console/incidents/{incident.pk}/lift", follow=True)

    assert 'id="incident-turfs">Grid A1<' in detail and "Turf B" not in detail
    assert "an organizer lifts it" in refused.content.decode()
    incident.refresh_from_db()
    assert incident.lifted_at is None


def test_declaring_and_lifting_need_the_csrf_token(lead_a, turf_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead_a)

    forged = client.post(
        "/console/incidents", {"kind": "police", "instruction": INSTRUCTION, "turfs": [turf_a.pk]}
    )

    assert forged.status_code == 403
    assert not Incident.objects.exists()


# --- Endorsement moderation -----------------------------------------------------------------


def test_endorsements_are_for_organizers_only(lead_a_client, canvasser_a):
    found = endorsement()
    canvasser = Client()
    canvasser.force_login(canvasser_a)

    for client in (lead_a_client, canvasser):
        assert client.get("/console/endorsements").status_code == 403
        assert client.get(f"/console/endorsements/{found.pk}").status_code == 403
        hide = client.post(f"/console/endorsements/{found.pk}/hide", {"reason": "spam"})
        assert hide.status_code == 403
    assert (
        "This page is for organizers."
        in lead_a_client.get("/console/endorsements").content.decode()
    )
    assert "/console/endorsements" not in lead_a_client.get("/console/").content.decode()
    found.refresh_from_db()
    assert not found.hidden


def test_an_organizer_filters_hides_and_restores_with_a_reason(organizer_client, organizer):
    person = endorsement(1, phone="+15155550177", phone_hash=keyed_hash("+15155550177"))
    organization = endorsement(
        2, kind="organization", name="Iowa Workers Center", contact_person="Luz"
    )
    pending = endorsement(3, status=EndorsementStatus.PENDING, confirmed_at=None)

    everything = organizer_client.get("/console/endorsements").content.decode()
    organizations = organizer_client.get("/console/endorsements?kind=organization").content.decode()
    waiting = organizer_client.get("/console/endorsements?status=pending").content.decode()
    detail = organizer_client.get(f"/console/endorsements/{person.pk}").content.decode()

    assert all(f'id="endorsement-{e.pk}"' in everything for e in (person, organization, pending))
    assert f'id="endorsement-{organization.pk}"' in organizations
    assert f'id="endorsement-{person.pk}"' not in organizations
    assert (
        f'id="endorsement-{pending.pk}"' in waiting
        and f'id="endorsement-{person.pk}"' not in waiting
    )
    assert "+15155550177" in detail and "50309" in detail

    no_reason = organizer_client.post(f"/console/endorsements/{person.pk}/hide", {"reason": " "})
    assert no_reason.status_code == 400
    assert 'class="field-error"' in no_reason.content.decode()
    person.refresh_from_db()
    assert not person.hidden

    hidden = organizer_client.post(
        f"/console/endorsements/{person.pk}/hide", {"reason": "Duplicate of a family member"}
    )
    assert hidden.status_code == 302
    person.refresh_from_db()
    assert person.hidden and person.hidden_reason == "Duplicate of a family member"
    assert person.hidden_by == organizer
    hidden_only = organizer_client.get("/console/endorsements?hidden=yes").content.decode()
    assert f'id="endorsement-{person.pk}"' in hidden_only
    assert f'id="endorsement-{organization.pk}"' not in hidden_only
    twice = organizer_client.post(f"/console/endorsements/{person.pk}/hide", {"reason": "again"})
    assert twice.status_code == 400

    restored = organizer_client.post(
        f"/console/endorsements/{person.pk}/restore", {"reason": "Checked: a real person"}
    )
    assert restored.status_code == 302
    person.refresh_from_db()
    assert not person.hidden
    assert list(
        AuditEvent.objects.filter(action__startswith="endorsement.")
        .order_by("id")
        .values_list("action", "details")
    ) == [
        ("endorsement.hidden", {"reason": "Duplicate of a family member"}),
        ("endorsement.restored", {"reason": "Checked: a real person"}),
    ]
    assert organizer_client.get("/console/endorsements/999999").status_code == 404


def test_moderation_needs_the_csrf_token(organizer):
    found = endorsement()
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)

    assert client.post(f"/console/endorsements/{found.pk}/hide", {"reason": "x"}).status_code == 403
    found.refresh_from_db()
    assert not found.hidden


# --- The review queue's reasons -------------------------------------------------------------


def flagged(turf: Turf, canvasser: Any) -> ConversationLog:
    door = turf.stops.first().household  # type: ignore[union-attr]
    return ConversationLog.objects.create(
        client_uuid="6f1c1b1e-0000-4000-8000-000000000009",
        canvasser=canvasser,
        turf=turf,
        household=door,
        result="contacted",
        contacted_at=timezone.now(),
        received_at=timezone.now(),
        flag_distance=True,
    )


def test_excluding_in_the_console_needs_a_reason_and_the_history_shows_it(
    lead_a_client, turf_a, canvasser_a
):
    log = flagged(turf_a, canvasser_a)

    missing = lead_a_client.post(f"/console/review/{log.pk}", {"action": "exclude"}, follow=True)
    assert "choose a reason from the list" in missing.content.decode()
    bad = lead_a_client.post(
        f"/console/review/{log.pk}", {"action": "exclude", "reason": "he lied"}, follow=True
    )
    assert "choose a reason from the list" in bad.content.decode()
    log.refresh_from_db()
    assert not log.excluded and not LogReview.objects.exists()

    lead_a_client.post(f"/console/review/{log.pk}", {"action": "exclude", "reason": "wrong_door"})
    lead_a_client.post(f"/console/review/{log.pk}", {"action": "include"})
    lead_a_client.post(f"/console/review/{log.pk}", {"action": "clear", "reason": "not_credible"})

    assert list(log.reviews.order_by("id").values_list("action", "reason")) == [
        ("exclude", "wrong_door"),
        ("include", ""),
        ("clear", "not_credible"),
    ]
    page = lead_a_client.get("/console/review?cleared=1").content.decode()
    assert f'id="history-{log.pk}"' in page
    assert "Logged at the wrong door" in page and "Not credible" in page
    assert f'id="reason-exclude-{log.pk}"' in page
