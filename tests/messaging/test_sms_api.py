"""Organizer views: messages with status and filters, inbound texts, opt-outs, stats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from messaging.models import SmsKind, SmsMessage
from messaging.services.dispatch import sms_dispatch_due
from messaging.services.inbound import sms_inbound_receive
from tests.events.helpers import e164

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def two_teams_messages(make_shift, make_event, sign_up, team_b):
    mine = sign_up(make_shift(), 1)
    theirs = sign_up(make_shift(event=make_event(team=team_b)), 2)
    sms_dispatch_due()
    return mine, theirs


def test_organizer_sees_every_message_with_its_status(client_for, organizer, two_teams_messages):
    mine, _ = two_teams_messages

    body = client_for(organizer).get("/api/sms/messages").json()

    assert body["count"] == 6
    confirmation = next(
        row
        for row in body["results"]
        if row["signup"] == mine.signup.pk and row["kind"] == "confirmation"
    )
    assert confirmation["status"] == "sent"
    assert confirmation["volunteer"] == {
        "id": mine.volunteer.pk,
        "name": "Volunteer 1",
        "phone_last4": e164(1)[-4:],
    }
    assert confirmation["attempts"] == 1
    assert confirmation["provider_sid"].startswith("SM")
    assert "phone" not in confirmation


def test_field_lead_sees_only_their_teams_messages(client_for, lead_a, two_teams_messages):
    mine, _ = two_teams_messages

    body = client_for(lead_a).get("/api/sms/messages").json()

    assert body["count"] == 3
    assert {row["signup"] for row in body["results"]} == {mine.signup.pk}


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"kind": "reminder"}, 4),
        ({"status": "sent"}, 2),
        ({"status": "queued", "kind": "confirmation"}, 0),
    ],
)
def test_messages_filter_by_kind_and_status(
    client_for, organizer, two_teams_messages, query, count
):
    assert client_for(organizer).get("/api/sms/messages", query).json()["count"] == count


def test_messages_filter_by_volunteer_and_event(client_for, organizer, two_teams_messages):
    mine, theirs = two_teams_messages
    client = client_for(organizer)

    by_volunteer = client.get("/api/sms/messages", {"volunteer": theirs.volunteer.pk}).json()
    by_event = client.get("/api/sms/messages", {"event": mine.signup.shift.event_id}).json()

    assert {r["volunteer"]["id"] for r in by_volunteer["results"]} == {theirs.volunteer.pk}
    assert {r["event"] for r in by_event["results"]} == {mine.signup.shift.event_id}


@pytest.mark.parametrize("query", [{"status": "lost"}, {"event": "x"}, {"kind": ""}])
def test_bad_filters_are_400_naming_the_field(client_for, organizer, query):
    response = client_for(organizer).get("/api/sms/messages", query)

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(query)


def test_list_query_count_does_not_grow_with_messages(
    client_for, organizer, make_shift, sign_up, django_assert_max_num_queries
):
    client = client_for(organizer)
    shift = make_shift(capacity=50)
    for n in range(3):
        sign_up(shift, n)
    with django_assert_max_num_queries(6):
        client.get("/api/sms/messages")
    for n in range(3, 20):
        sign_up(shift, n)
    with django_assert_max_num_queries(6):
        assert client.get("/api/sms/messages").json()["count"] == 60


def test_inbound_messages_are_for_organizers_with_decrypted_text(
    client_for, organizer, lead_a, make_shift, sign_up
):
    outcome = sign_up(make_shift(), 1)
    sms_inbound_receive(message_sid="SM1", from_number=e164(1), body="Running late!")

    body = client_for(organizer).get("/api/sms/inbound-messages").json()

    assert body["results"] == [
        {
            "id": body["results"][0]["id"],
            "volunteer": {
                "id": outcome.volunteer.pk,
                "name": "Volunteer 1",
                "phone_last4": e164(1)[-4:],
            },
            "phone_last4": e164(1)[-4:],
            "body": "Running late!",
            "body_purged": False,
            "action": "stored",
            "signup": None,
            "received_at": body["results"][0]["received_at"],
        }
    ]
    assert client_for(lead_a).get("/api/sms/inbound-messages").status_code == 403


def test_opt_out_list_shows_reason_and_volunteer_but_no_number(
    client_for, organizer, make_shift, sign_up
):
    outcome = sign_up(make_shift(), 1)
    sms_inbound_receive(message_sid="SM1", from_number=e164(1), body="STOP")
    sms_inbound_receive(message_sid="SM2", from_number=e164(50), body="parar")

    rows = client_for(organizer).get("/api/sms/opt-outs").json()["results"]

    assert sorted((r["reason"], r["keyword"]) for r in rows) == [
        ("keyword", "PARAR"),
        ("keyword", "STOP"),
    ]
    by_keyword = {r["keyword"]: r for r in rows}
    assert by_keyword["STOP"]["volunteer"]["id"] == outcome.volunteer.pk
    assert by_keyword["PARAR"]["volunteer"] is None


def test_event_sms_stats_count_per_status_and_kind(
    client_for, organizer, lead_b, two_teams_messages
):
    mine, _ = two_teams_messages
    event_id = mine.signup.shift.event_id
    message = SmsMessage.objects.get(signup=mine.signup, kind=SmsKind.CONFIRMATION)
    from messaging.services.delivery import sms_status_record

    sms_status_record(message_sid=message.provider_sid, provider_status="delivered")

    body = client_for(organizer).get(f"/api/events/{event_id}/sms-stats").json()

    assert body["event_id"] == event_id
    assert body["total"] == 3
    assert body["by_status"]["delivered"] == 1
    assert body["by_status"]["queued"] == 2
    assert body["by_kind"] == [
        {"kind": "confirmation", "total": 1, "delivered": 1, "failed": 0},
        {"kind": "reminder", "total": 2, "delivered": 0, "failed": 0},
    ]
    assert client_for(lead_b).get(f"/api/events/{event_id}/sms-stats").status_code == 404
