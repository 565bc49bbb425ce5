from __future__ import annotations

import pytest

from backend.accounts.models import AuthToken, Membership, Role
from backend.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_organizer_lists_everyone_field_lead_only_their_team(
    client_for, organizer, lead_a, canvasser_a, canvasser_b
):
    everyone = client_for(organizer).get("/api/users").json()["results"]
    team_a = client_for(lead_a).get("/api/users").json()["results"]

    assert {u["username"] for u in everyone} == {
        "organizer",
        "lead_a",
        "canvasser_a",
        "canvasser_b",
    }
    assert {u["username"] for u in team_a} == {"lead_a", "canvasser_a"}


def test_canvasser_cannot_list_users(client_for, canvasser_a):
    assert client_for(canvasser_a).get("/api/users").status_code == 403


def test_field_lead_gets_404_for_another_teams_person(client_for, lead_a, canvasser_b):
    assert client_for(lead_a).get(f"/api/users/{canvasser_b.id}").status_code == 404


def test_role_change_revokes_every_session_and_is_audited(client_for, organizer, canvasser_a):
    phone = client_for(canvasser_a)
    assert phone.get("/api/me").status_code == 200

    response = client_for(organizer).patch(f"/api/users/{canvasser_a.id}", {"role": "field_lead"})

    assert response.status_code == 200
    assert response.json()["role"] == "field_lead"
    assert phone.get("/api/me").status_code == 401
    assert not AuthToken.objects.filter(user=canvasser_a).exists()
    event = AuditEvent.objects.get(action="user.updated")
    assert event.actor == organizer
    assert event.details == {"changes": {"role": ["canvasser", "field_lead"]}}


def test_deactivation_revokes_every_session(client_for, organizer, canvasser_a):
    phone = client_for(canvasser_a)

    client_for(organizer).patch(f"/api/users/{canvasser_a.id}", {"is_active": False})

    assert phone.get("/api/me").status_code == 401


def test_field_lead_cannot_change_roles(client_for, lead_a, canvasser_a):
    response = client_for(lead_a).patch(f"/api/users/{canvasser_a.id}", {"role": "organizer"})

    assert response.status_code == 403
    canvasser_a.refresh_from_db()
    assert canvasser_a.role == Role.CANVASSER


def test_canvasser_cannot_promote_themselves(client_for, canvasser_a):
    response = client_for(canvasser_a).patch(f"/api/users/{canvasser_a.id}", {"role": "organizer"})

    assert response.status_code == 403
    canvasser_a.refresh_from_db()
    assert canvasser_a.role == Role.CANVASSER


def test_unknown_role_is_a_400_naming_the_field(client_for, organizer, canvasser_a):
    response = client_for(organizer).patch(f"/api/users/{canvasser_a.id}", {"role": "admin"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["role"]


def test_locked_account_is_shown_and_organizer_unlocks_it(
    api_client, client_for, organizer, canvasser_a, settings
):
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 2
    for _ in range(3):
        api_client.post("/api/auth/login", {"username": "canvasser_a", "password": "nope"})
    assert client_for(organizer).get(f"/api/users/{canvasser_a.id}").json()["locked"] is True

    assert client_for(organizer).post(f"/api/users/{canvasser_a.id}/unlock").status_code == 204

    assert client_for(organizer).get(f"/api/users/{canvasser_a.id}").json()["locked"] is False
    ok = api_client.post(
        "/api/auth/login", {"username": "canvasser_a", "password": "canvasser_a-Pass-2026!"}
    )
    assert ok.status_code == 200
    assert AuditEvent.objects.filter(action="auth.unlocked", target_id=str(canvasser_a.id)).exists()


def test_only_organizers_unlock(client_for, lead_a, canvasser_a):
    assert client_for(lead_a).post(f"/api/users/{canvasser_a.id}/unlock").status_code == 403


def test_teams_are_scoped(client_for, organizer, lead_a, team_a, team_b, canvasser_a):
    assert {t["name"] for t in client_for(organizer).get("/api/teams").json()} == {
        "Team A",
        "Team B",
    }
    assert [t["name"] for t in client_for(lead_a).get("/api/teams").json()] == ["Team A"]
    assert [t["name"] for t in client_for(canvasser_a).get("/api/teams").json()] == ["Team A"]


def test_team_membership_changes_are_organizer_only_and_audited(
    client_for, organizer, lead_a, team_b, canvasser_a
):
    assert (
        client_for(lead_a)
        .post(f"/api/teams/{team_b.id}/members", {"user": canvasser_a.id})
        .status_code
        == 403
    )

    added = client_for(organizer).post(f"/api/teams/{team_b.id}/members", {"user": canvasser_a.id})
    assert added.status_code == 200
    assert Membership.objects.filter(team=team_b, user=canvasser_a).exists()

    removed = client_for(organizer).delete(f"/api/teams/{team_b.id}/members/{canvasser_a.id}")
    assert removed.status_code == 204
    assert not Membership.objects.filter(team=team_b, user=canvasser_a).exists()
    assert [
        e.action for e in AuditEvent.objects.filter(target_type="accounts.team").order_by("id")
    ] == [
        "team.member_added",
        "team.member_removed",
    ]


def test_adding_an_unknown_user_names_the_field(client_for, organizer, team_a):
    response = client_for(organizer).post(f"/api/teams/{team_a.id}/members", {"user": 999999})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"user": ["No such user."]}


@pytest.mark.parametrize("weak", ["password123", "short1!", "12345678901234", "canvasser_a-1"])
def test_weak_passwords_are_refused(canvasser_a, weak):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(weak, user=canvasser_a)


def test_a_strong_password_passes(canvasser_a):
    from django.contrib.auth.password_validation import validate_password

    validate_password("Door-Knocking-Iowa-2026!", user=canvasser_a)
