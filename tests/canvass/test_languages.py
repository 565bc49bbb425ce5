"""People's languages at the doors: voters' preferred language from the voter file, shown on
walk lists and the pull, counted on turf progress, and canvassers who speak them suggested and
assigned first."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import Membership, Role, User
from backend.audit.models import AuditEvent
from canvass.models import TurfAssignment, Voter
from tests.canvass.conftest import HEADER, csv_bytes, make_household, make_turf, make_voter

pytestmark = pytest.mark.django_db

LANGUAGE_HEADER = HEADER + ",language"
ROW = "{id},Ana,Lee{id},DEM,1980,,{n} Elm St,,Ames,IA,50010,42.03,-93.62,{language}"


def upload(*lines: str) -> dict:
    content = csv_bytes(*lines, header=LANGUAGE_HEADER).getvalue()
    return {"file": SimpleUploadedFile("voters.csv", content, content_type="text/csv")}


def canvasser(team, username: str, spoken: list[str]) -> User:
    user = User.objects.create_user(username=username, password="x", role=Role.CANVASSER)
    user.spoken_languages = spoken
    user.save()
    Membership.objects.create(team=team, user=user)
    return user


def doors_speaking(*languages: list[str]):
    """One door per entry, with one voter per language listed."""
    doors = []
    for door_languages in languages:
        door = make_household(41.6, -93.6)
        for language in door_languages:
            make_voter(door, language=language)
        doors.append(door)
    return doors


def test_voter_import_stores_the_code_a_language_column_names(
    client_for, lead_a, django_capture_on_commit_callbacks
):
    written = {
        "IA1": "Spanish",
        "IA2": "español",
        "IA3": "ES",
        "IA4": "Vietnamese",
        "IA5": "fr-CA",
        "IA6": "Hmong",
        "IA7": "",
        "IA8": "english",
    }
    lines = [
        ROW.format(id=voter_id, n=n, language=language)
        for n, (voter_id, language) in enumerate(written.items(), 1)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead_a).post("/api/voters/import", upload(*lines), format="multipart")

    assert response.status_code == 202
    stored = dict(Voter.objects.values_list("state_voter_id", "language"))
    assert stored == {
        "IA1": "es",
        "IA2": "es",
        "IA3": "es",
        "IA4": "vi",
        "IA5": "fr",
        "IA6": "",  # not a configured language: unknown
        "IA7": "",
        "IA8": "en",
    }


def test_a_language_outside_the_setting_is_stored_as_unknown(
    settings, client_for, lead_a, django_capture_on_commit_callbacks
):
    settings.FIELD_LANGUAGES = ["en", "es"]

    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead_a).post(
            "/api/voters/import",
            upload(ROW.format(id="IA1", n=1, language="Vietnamese")),
            format="multipart",
        )

    assert Voter.objects.get(state_voter_id="IA1").language == ""


def test_walk_list_and_pull_show_each_voters_language(client_for, team_a, canvasser_a):
    (door,) = doors_speaking(["es", ""])
    turf = make_turf(team_a, [door])
    TurfAssignment.objects.create(turf=turf, canvasser=canvasser_a, assigned_at=turf.created_at)

    walk = client_for(canvasser_a).get(f"/api/turfs/{turf.pk}/walk-list")
    pull = client_for(canvasser_a).get("/api/sync/pull")

    assert walk.status_code == 200
    assert sorted(v["language"] for v in walk.json()["stops"][0]["voters"]) == ["", "es"]
    assert pull.status_code == 200
    assert sorted(v["language"] for v in pull.json()["voters"]) == ["", "es"]


def test_turf_progress_counts_the_doors_needing_each_language_but_english(
    client_for, lead_a, team_a
):
    doors = doors_speaking(["es", "es"], ["es", "vi"], ["en"], [""], ["vi"], ["ar"], ["es"])
    turf = make_turf(team_a, doors)

    response = client_for(lead_a).get(f"/api/turfs/{turf.pk}/progress")

    assert response.status_code == 200
    assert response.json()["languages"] == {"es": 3, "vi": 2, "ar": 1}


def test_turf_progress_of_another_team_is_a_404(client_for, lead_a, team_b):
    turf = make_turf(team_b, doors_speaking(["es"]))

    assert client_for(lead_a).get(f"/api/turfs/{turf.pk}/progress").status_code == 404


def test_suggestions_rank_the_teams_canvassers_by_the_door_languages_they_speak(
    client_for, lead_a, team_a, team_b
):
    turf = make_turf(team_a, doors_speaking(["es"], ["es"], ["es"], ["vi"], ["ar"]))
    canvasser(team_a, "ana", ["en"])
    canvasser(team_a, "bea", ["en", "vi"])
    canvasser(team_a, "cal", ["es"])
    canvasser(team_a, "dee", ["vi", "es"])
    canvasser(team_b, "eve", ["es", "vi", "ar"])  # another team: never suggested

    response = client_for(lead_a).get(f"/api/turfs/{turf.pk}/canvasser-suggestions")

    assert response.status_code == 200
    body = response.json()
    assert body["languages"] == [
        {"language": "es", "doors": 3},
        {"language": "ar", "doors": 1},
        {"language": "vi", "doors": 1},
    ]
    assert [
        (c["canvasser"]["username"], c["languages_covered"], c["doors_covered"])
        for c in body["canvassers"]
    ] == [
        ("dee", ["es", "vi"], 4),
        ("cal", ["es"], 3),
        ("bea", ["vi"], 1),
        ("ana", [], 0),
    ]


def test_suggestions_for_another_teams_turf_are_a_404(client_for, lead_a, team_b):
    turf = make_turf(team_b, doors_speaking(["es"]))

    response = client_for(lead_a).get(f"/api/turfs/{turf.pk}/canvasser-suggestions")

    assert response.status_code == 404


def test_assigning_with_prefer_language_picks_the_best_speaker_not_yet_assigned(
    client_for, lead_a, team_a
):
    turf = make_turf(team_a, doors_speaking(["es"], ["es"], ["vi"]))
    canvasser(team_a, "ana", [])
    cal = canvasser(team_a, "cal", ["es"])
    dee = canvasser(team_a, "dee", ["es", "vi"])
    client = client_for(lead_a)

    first = client.post(
        f"/api/turfs/{turf.pk}/assignments", {"prefer_language": True}, format="json"
    )
    second = client.post(
        f"/api/turfs/{turf.pk}/assignments", {"prefer_language": True}, format="json"
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert [first.json()["canvasser"]["id"], second.json()["canvasser"]["id"]] == [dee.pk, cal.pk]
    assert set(TurfAssignment.objects.filter(turf=turf).values_list("canvasser_id", flat=True)) == {
        dee.pk,
        cal.pk,
    }


def test_assigning_needs_a_canvasser_or_prefer_language(client_for, lead_a, team_a):
    turf = make_turf(team_a, doors_speaking(["es"]))

    response = client_for(lead_a).post(f"/api/turfs/{turf.pk}/assignments", {}, format="json")

    assert response.status_code == 400
    assert "canvasser" in response.json()["error"]["fields"]


def test_prefer_language_with_nobody_left_to_assign_is_a_400(client_for, lead_a, team_a):
    turf = make_turf(team_a, doors_speaking(["es"]))
    Membership.objects.filter(team=team_a, user__role=Role.CANVASSER).delete()

    response = client_for(lead_a).post(
        f"/api/turfs/{turf.pk}/assignments", {"prefer_language": True}, format="json"
    )

    assert response.status_code == 400
    assert "prefer_language" in response.json()["error"]["fields"]
    assert not TurfAssignment.objects.filter(turf=turf).exists()


def test_voter_languages_command_counts_and_normalizes(settings):
    door = make_household(41.6, -93.6)
    for language in ["es", "es", "", "Spanish", "fr", "klingon"]:
        make_voter(door, language=language)
    settings.FIELD_LANGUAGES = ["en", "es", "vi"]  # French no longer configured

    report = StringIO()
    call_command("voter_languages", stdout=report)

    assert report.getvalue().splitlines() == [
        "es (Español): 2",
        "'Spanish' (not a configured language): 1",
        "'fr' (not a configured language): 1",
        "'klingon' (not a configured language): 1",
        "unknown: 1",
    ]
    assert Voter.objects.filter(language="Spanish").count() == 1  # a report changes nothing

    normalized = StringIO()
    call_command("voter_languages", "--normalize", stdout=normalized)

    assert normalized.getvalue().splitlines() == [
        "normalized 'Spanish' -> 'es': 1",
        "normalized 'fr' -> 'unknown': 1",
        "normalized 'klingon' -> 'unknown': 1",
        "normalized values: 3",
        "es (Español): 3",
        "unknown: 3",
    ]
    assert sorted(Voter.objects.values_list("language", flat=True)) == [
        "",
        "",
        "",
        "es",
        "es",
        "es",
    ]
    assert AuditEvent.objects.filter(action="voter.languages_normalized").count() == 1


def test_suggestions_take_as_many_queries_for_many_canvassers_as_for_one(
    client_for, lead_a, team_a
):
    turf = make_turf(team_a, doors_speaking(["es"], ["vi"]))
    client = client_for(lead_a)
    canvasser(team_a, "one", ["es"])
    client.get(f"/api/turfs/{turf.pk}/canvasser-suggestions")  # the token's first use is written
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/turfs/{turf.pk}/canvasser-suggestions")
    for n in range(8):
        canvasser(team_a, f"more{n}", ["vi"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/api/turfs/{turf.pk}/canvasser-suggestions")

    assert len(response.json()["canvassers"]) == 9
    assert len(many) == len(few)
