"""Canvassers list the languages they speak: themselves through PATCH /api/me, or a field lead of
their team through PUT /api/users/{id}/languages."""

from __future__ import annotations

import pytest

from backend.accounts.models import User
from backend.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_canvasser_sets_their_own_spoken_languages(client_for, canvasser_a):
    response = client_for(canvasser_a).patch(
        "/api/me", {"spoken_languages": ["vi", "es", "es"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["spoken_languages"] == ["es", "vi"]  # configured order, each once
    canvasser_a.refresh_from_db()
    assert canvasser_a.spoken_languages == ["es", "vi"]
    assert client_for(canvasser_a).get("/api/me").json()["spoken_languages"] == ["es", "vi"]
    event = AuditEvent.objects.get(action="user.languages_updated")
    assert event.details == {"changes": {"spoken_languages": [[], ["es", "vi"]]}}


def test_a_person_chooses_the_language_of_their_texts_among_the_configured_ones(
    client_for, canvasser_a
):
    response = client_for(canvasser_a).patch("/api/me", {"language": "sw"}, format="json")

    assert response.status_code == 200
    assert response.json()["language"] == "sw"
    assert User.objects.get(pk=canvasser_a.pk).language == "sw"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"spoken_languages": ["es", "klingon"]}, "spoken_languages.1"),
        ({"spoken_languages": "es"}, "spoken_languages"),
        ({"language": "xx"}, "language"),
        ({"role": "organizer"}, "role"),
    ],
)
def test_bad_language_input_is_a_400_naming_the_field(client_for, canvasser_a, body, field):
    response = client_for(canvasser_a).patch("/api/me", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    canvasser_a.refresh_from_db()
    assert (canvasser_a.spoken_languages, canvasser_a.role) == ([], "canvasser")


def test_a_field_lead_sets_the_languages_of_a_canvasser_of_their_team(
    client_for, lead_a, canvasser_a
):
    response = client_for(lead_a).put(
        f"/api/users/{canvasser_a.pk}/languages",
        {"spoken_languages": ["ar", "en"]},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["spoken_languages"]) == (
        canvasser_a.pk,
        ["en", "ar"],
    )
    assert User.objects.get(pk=canvasser_a.pk).spoken_languages == ["en", "ar"]
    assert AuditEvent.objects.get(action="user.languages_updated").actor == lead_a


def test_a_field_lead_clears_the_languages_with_an_empty_list(client_for, lead_a, canvasser_a):
    canvasser_a.spoken_languages = ["es"]
    canvasser_a.save()

    response = client_for(lead_a).put(
        f"/api/users/{canvasser_a.pk}/languages", {"spoken_languages": []}, format="json"
    )

    assert response.status_code == 200
    assert User.objects.get(pk=canvasser_a.pk).spoken_languages == []


def test_another_teams_canvasser_is_a_404_and_unchanged(client_for, lead_a, canvasser_b):
    response = client_for(lead_a).put(
        f"/api/users/{canvasser_b.pk}/languages", {"spoken_languages": ["es"]}, format="json"
    )

    assert response.status_code == 404
    assert User.objects.get(pk=canvasser_b.pk).spoken_languages == []


def test_an_unknown_code_from_a_field_lead_is_a_400_naming_the_field(
    client_for, lead_a, canvasser_a
):
    response = client_for(lead_a).put(
        f"/api/users/{canvasser_a.pk}/languages", {"spoken_languages": ["zz"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "spoken_languages.0": ['"zz" is not a valid choice.']
    }
    assert User.objects.get(pk=canvasser_a.pk).spoken_languages == []


def test_a_canvasser_cannot_set_another_persons_languages(client_for, canvasser_a, lead_a):
    response = client_for(canvasser_a).put(
        f"/api/users/{lead_a.pk}/languages", {"spoken_languages": ["es"]}, format="json"
    )

    assert response.status_code == 403
