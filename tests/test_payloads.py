"""Payloads for rural signal: API JSON gzipped when the client accepts it (never HTML or a
response setting a cookie), walk lists and sync pulls with strong ETags so an unchanged download
costs a bodiless 304, and personal data marked `Cache-Control: private, no-store`."""

from __future__ import annotations

import gzip
import json
import uuid

import pytest
from django.utils import timezone

from canvass.services.turf import turf_assign
from tests.canvass.conftest import make_household, make_turf, make_voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def turf(team_a, lead_a, canvasser_a):
    households = [make_household(41.58 + i * 0.0005, -93.62) for i in range(30)]
    for household in households:
        make_voter(household)
        make_voter(household)
    turf = make_turf(team_a, households, name="Rural")
    turf_assign(actor=lead_a, turf=turf, canvasser=canvasser_a)
    return turf


def push_one_log(client, household_id: int) -> None:
    body = {
        "device_id": "phone",
        "batch_id": str(uuid.uuid4()),
        "logs": [
            {
                "client_uuid": str(uuid.uuid4()),
                "household": household_id,
                "result": "not_home",
                "contacted_at": timezone.now().isoformat(),
            }
        ],
    }
    response = client.post("/api/sync/push", body, format="json")
    assert response.status_code == 200, response.content


def test_walk_list_carries_a_strong_etag_and_private_no_store(client_for, canvasser_a, turf):
    response = client_for(canvasser_a).get(f"/api/turfs/{turf.pk}/walk-list")

    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response["Cache-Control"] == "private, no-store"


def test_unchanged_walk_list_answers_304_with_no_body(client_for, canvasser_a, turf):
    client = client_for(canvasser_a)
    etag = client.get(f"/api/turfs/{turf.pk}/walk-list")["ETag"]

    again = client.get(f"/api/turfs/{turf.pk}/walk-list", HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "private, no-store"


def test_changed_walk_list_answers_200_with_a_new_etag(client_for, canvasser_a, turf):
    client = client_for(canvasser_a)
    first = client.get(f"/api/turfs/{turf.pk}/walk-list")
    push_one_log(client, first.json()["stops"][0]["household"]["id"])

    again = client.get(f"/api/turfs/{turf.pk}/walk-list", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again.json()["stops"][0]["latest_result"] is not None


def test_a_stale_or_garbage_if_none_match_gets_the_full_body(client_for, canvasser_a, turf):
    client = client_for(canvasser_a)
    for header in ('"0000"', "not-a-tag", 'W/"abc", "def"', ""):
        response = client.get(f"/api/turfs/{turf.pk}/walk-list", HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 200, header
        assert len(response.json()["stops"]) == 30


def test_the_same_walk_list_has_a_different_etag_for_another_user(
    client_for, canvasser_a, lead_a, turf
):
    mine = client_for(canvasser_a).get(f"/api/turfs/{turf.pk}/walk-list")["ETag"]

    theirs = client_for(lead_a).get(f"/api/turfs/{turf.pk}/walk-list", HTTP_IF_NONE_MATCH=mine)

    assert theirs.status_code == 200
    assert theirs["ETag"] != mine


def test_another_teams_turf_is_404_even_with_a_matching_if_none_match(
    client_for, canvasser_a, canvasser_b, lead_b, turf
):
    etag = client_for(canvasser_a).get(f"/api/turfs/{turf.pk}/walk-list")["ETag"]

    for user in (canvasser_b, lead_b):
        response = client_for(user).get(f"/api/turfs/{turf.pk}/walk-list", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 404
        assert "ETag" not in response
        star = client_for(user).get(f"/api/turfs/{turf.pk}/walk-list", HTTP_IF_NONE_MATCH="*")
        assert star.status_code == 404


def test_walk_list_is_gzipped_when_accepted_and_the_tag_names_the_encoding(
    client_for, canvasser_a, turf
):
    client = client_for(canvasser_a)
    plain = client.get(f"/api/turfs/{turf.pk}/walk-list")

    packed = client.get(f"/api/turfs/{turf.pk}/walk-list", HTTP_ACCEPT_ENCODING="gzip")

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert len(packed.content) < len(plain.content) / 3
    assert packed["ETag"] == plain["ETag"][:-1] + '-gzip"'
    # Either form of the tag is the same content.
    for tag in (packed["ETag"], plain["ETag"]):
        again = client.get(
            f"/api/turfs/{turf.pk}/walk-list", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=tag
        )
        assert again.status_code == 304 and again.content == b""


def test_html_and_responses_setting_cookies_are_never_gzipped(client, organizer):
    # The console's login page is HTML carrying a CSRF token and setting the CSRF cookie: BREACH.
    page = client.get("/console/login", HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200
    assert "Content-Encoding" not in page
    assert b"csrfmiddlewaretoken" in page.content


def test_sync_pull_repeated_unchanged_answers_304_and_a_change_answers_200(
    client_for, canvasser_a, canvasser_b, lead_a, team_a, turf
):
    client = client_for(canvasser_a)
    first = client.get("/api/sync/pull", HTTP_ACCEPT_ENCODING="gzip")
    assert first.status_code == 200
    assert first["Content-Encoding"] == "gzip"
    assert first["Cache-Control"] == "private, no-store"
    body = json.loads(gzip.decompress(first.content))
    assert body["has_more"] is False and len(body["households"]) == 30

    again = client.get(
        "/api/sync/pull", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304 and again.content == b""

    # Another canvasser on the same turf logs a door: the same download has changed.
    from backend.accounts.models import Membership

    Membership.objects.get_or_create(team=team_a, user=canvasser_b)
    turf_assign(actor=lead_a, turf=turf, canvasser=canvasser_b)
    push_one_log(client_for(canvasser_b), body["households"][0]["id"])
    changed = client.get("/api/sync/pull", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_sync_pull_bad_cursor_is_still_400_naming_the_field_with_an_if_none_match(
    client_for, canvasser_a
):
    response = client_for(canvasser_a).get(
        "/api/sync/pull", {"cursor": "garbage"}, HTTP_IF_NONE_MATCH="*"
    )
    assert response.status_code == 400
    assert "cursor" in response.content.decode()
