"""Assigning turf: who may, to whom, history kept, other teams' turf invisible."""

from __future__ import annotations

import pytest
import time_machine
from django.db import IntegrityError

from backend.accounts.models import Membership, Role, User
from backend.audit.models import AuditEvent
from canvass.models import TurfAssignment, TurfHousehold
from tests.canvass.conftest import make_household, make_turf

pytestmark = pytest.mark.django_db


@pytest.fixture
def turf_a(team_a):
    return make_turf(team_a, [make_household(41.58, -93.62)], name="A1")


@pytest.fixture
def turf_b(team_b):
    return make_turf(team_b, [make_household(41.59, -93.63)], name="B1")


def assign(client, turf, canvasser):
    return client.post(f"/api/turfs/{turf.pk}/assignments", {"canvasser": canvasser.pk})


@time_machine.travel("2026-01-20 15:00:00+00:00", tick=False)
def test_field_lead_assigns_a_canvasser_of_their_team_and_it_is_recorded(
    client_for, lead_a, canvasser_a, turf_a
):
    response = assign(client_for(lead_a), turf_a, canvasser_a)

    assert response.status_code == 201
    body = response.json()
    assert body["canvasser"] == {"id": canvasser_a.pk, "username": "canvasser_a"}
    assert body["assigned_by"] == {"id": lead_a.pk, "username": "lead_a"}
    assert body["assigned_at"] == "2026-01-20T09:00:00-06:00"
    assert body["unassigned_at"] is None
    turf_a.refresh_from_db()
    assert turf_a.status == "assigned"
    event = AuditEvent.objects.get(action="turf.assign")
    assert event.details == {"canvasser_id": canvasser_a.pk, "assignment_id": body["id"]}


def test_unassigning_keeps_the_history_with_who_and_when(
    client_for, lead_a, organizer, canvasser_a, turf_a
):
    with time_machine.travel("2026-01-20 15:00:00+00:00", tick=False):
        assign(client_for(lead_a), turf_a, canvasser_a)
    with time_machine.travel("2026-01-21 15:00:00+00:00", tick=False):
        response = client_for(organizer).delete(
            f"/api/turfs/{turf_a.pk}/assignments/{canvasser_a.pk}"
        )
    assert response.status_code == 200
    with time_machine.travel("2026-01-22 15:00:00+00:00", tick=False):
        assign(client_for(lead_a), turf_a, canvasser_a)

    history = client_for(lead_a).get(f"/api/turfs/{turf_a.pk}/assignments").json()

    assert [(h["assigned_at"], h["unassigned_at"]) for h in history] == [
        ("2026-01-22T09:00:00-06:00", None),
        ("2026-01-20T09:00:00-06:00", "2026-01-21T09:00:00-06:00"),
    ]
    assert history[1]["unassigned_by"] == {"id": organizer.pk, "username": "organizer"}
    assert AuditEvent.objects.filter(action="turf.unassign").count() == 1


def test_last_unassignment_puts_an_assigned_turf_back_to_draft(
    client_for, lead_a, canvasser_a, turf_a
):
    assign(client_for(lead_a), turf_a, canvasser_a)
    client_for(lead_a).delete(f"/api/turfs/{turf_a.pk}/assignments/{canvasser_a.pk}")

    turf_a.refresh_from_db()
    assert turf_a.status == "draft"


def test_assigning_the_same_canvasser_twice_is_a_409(client_for, lead_a, canvasser_a, turf_a):
    assign(client_for(lead_a), turf_a, canvasser_a)

    response = assign(client_for(lead_a), turf_a, canvasser_a)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_assigned"


def test_database_allows_one_open_assignment_per_turf_and_canvasser(lead_a, canvasser_a, turf_a):
    from django.db import transaction
    from django.utils import timezone

    TurfAssignment.objects.create(turf=turf_a, canvasser=canvasser_a, assigned_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        TurfAssignment.objects.create(
            turf=turf_a, canvasser=canvasser_a, assigned_at=timezone.now()
        )


def test_database_allows_a_household_in_one_active_turf_only(team_a, turf_a):
    from django.db import transaction

    household = turf_a.households.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_turf(team_a, [household], name="Again")


def test_completing_a_turf_frees_its_households_for_new_turf(client_for, lead_a, team_a, turf_a):
    response = client_for(lead_a).post(f"/api/turfs/{turf_a.pk}/status", {"status": "completed"})

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    household = turf_a.households.get()
    make_turf(team_a, [household], name="Next round")
    assert TurfHousehold.objects.filter(household=household).count() == 2


def test_a_completed_turf_cannot_be_reopened_or_assigned(client_for, lead_a, canvasser_a, turf_a):
    client_for(lead_a).post(f"/api/turfs/{turf_a.pk}/status", {"status": "completed"})

    reopen = client_for(lead_a).post(f"/api/turfs/{turf_a.pk}/status", {"status": "draft"})
    again = assign(client_for(lead_a), turf_a, canvasser_a)

    assert reopen.status_code == 409
    assert reopen.json()["error"]["code"] == "invalid_status_change"
    assert again.status_code == 409


def test_field_lead_cannot_assign_a_canvasser_of_another_team(
    client_for, lead_a, canvasser_b, turf_a
):
    response = assign(client_for(lead_a), turf_a, canvasser_b)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"canvasser": ["Not in the turf's team."]}


def test_only_canvassers_can_be_assigned(client_for, lead_a, team_a, turf_a):
    other_lead = User.objects.create_user(username="lead_a2", role=Role.FIELD_LEAD)
    Membership.objects.create(team=team_a, user=other_lead)

    response = assign(client_for(lead_a), turf_a, other_lead)

    assert response.status_code == 400
    assert "canvasser" in response.json()["error"]["fields"]


def test_field_lead_cannot_see_other_teams_turf(client_for, lead_a, turf_b):
    client = client_for(lead_a)

    assert client.get(f"/api/turfs/{turf_b.pk}").status_code == 404
    assert client.get(f"/api/turfs/{turf_b.pk}/walk-list").status_code == 404
    assert client.get(f"/api/turfs/{turf_b.pk}.geojson").status_code == 404
    assert client.get(f"/api/turfs/{turf_b.pk}/assignments").status_code == 404
    assert [t["id"] for t in client.get("/api/turfs").json()["results"]] == []


def test_field_lead_cannot_assign_or_unassign_on_other_teams_turf(
    client_for, lead_a, lead_b, canvasser_b, turf_b
):
    assign(client_for(lead_b), turf_b, canvasser_b)

    assigned = assign(client_for(lead_a), turf_b, canvasser_b)
    unassigned = client_for(lead_a).delete(f"/api/turfs/{turf_b.pk}/assignments/{canvasser_b.pk}")
    status = client_for(lead_a).post(f"/api/turfs/{turf_b.pk}/status", {"status": "completed"})

    assert (assigned.status_code, unassigned.status_code, status.status_code) == (404, 404, 404)
    assert TurfAssignment.objects.filter(unassigned_at__isnull=True).count() == 1


def test_organizer_assigns_on_any_team(client_for, organizer, canvasser_b, turf_b):
    response = assign(client_for(organizer), turf_b, canvasser_b)

    assert response.status_code == 201


def test_canvasser_cannot_assign_turf(client_for, canvasser_a, turf_a):
    response = assign(client_for(canvasser_a), turf_a, canvasser_a)

    assert response.status_code == 403


def test_unassigning_someone_not_assigned_is_a_404(client_for, lead_a, canvasser_a, turf_a):
    response = client_for(lead_a).delete(f"/api/turfs/{turf_a.pk}/assignments/{canvasser_a.pk}")

    assert response.status_code == 404


def test_field_lead_lists_only_their_teams_turf_with_counts(
    client_for, lead_a, organizer, turf_a, turf_b
):
    mine = client_for(lead_a).get("/api/turfs").json()
    everything = client_for(organizer).get("/api/turfs").json()

    assert [(t["name"], t["door_count"], t["team"]["id"]) for t in mine["results"]] == [
        ("A1", 1, turf_a.team_id)
    ]
    assert [t["name"] for t in everything["results"]] == ["A1", "B1"]
