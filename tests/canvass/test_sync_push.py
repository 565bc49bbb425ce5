"""Push (sync up): every conversation lands exactly once; bad items never cost good ones."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from canvass.models import ConversationLog, DeviceSync, Household
from tests.canvass.conftest import batch, doors, log_item

URL = "/api/sync/push"
pytestmark = pytest.mark.django_db


def push(client, body):
    return client.post(URL, body, format="json")


def test_a_batch_of_valid_logs_is_created(client_for, canvasser_a, turf_a):
    first, second = doors(turf_a)[:2]
    body = batch(log_item(first), log_item(second, result="not_home", support_level=None))

    response = push(client_for(canvasser_a), body)

    assert response.status_code == 200
    data = response.json()
    assert data["counts"] == {"created": 2, "duplicate": 0, "rejected": 0}
    assert [r["status"] for r in data["results"]] == ["created", "created"]
    assert data["results"][0]["log"]["household"] == first.pk
    assert data["results"][0]["log"]["flags"] == []
    assert ConversationLog.objects.count() == 2
    log = ConversationLog.objects.get(client_uuid=body["logs"][0]["client_uuid"])
    assert log.canvasser == canvasser_a and log.turf == turf_a and log.support_level == 2
    assert log.distance_m == pytest.approx(10.0, abs=0.5)


def test_a_retried_batch_creates_nothing_new(client_for, canvasser_a, turf_a):
    body = batch(*(log_item(d) for d in doors(turf_a)))
    client = client_for(canvasser_a)
    first = push(client, body).json()

    again = push(client, body).json()

    assert again["counts"] == {"created": 0, "duplicate": 6, "rejected": 0}
    assert [r["log"]["id"] for r in again["results"]] == [r["log"]["id"] for r in first["results"]]
    assert ConversationLog.objects.count() == 6


def test_a_duplicate_returns_the_stored_log_even_if_the_payload_differs(
    client_for, canvasser_a, turf_a
):
    door = doors(turf_a)[0]
    item = log_item(door)
    client = client_for(canvasser_a)
    stored = push(client, batch(item)).json()["results"][0]["log"]

    changed = {**item, "result": "refused", "support_level": None}
    response = push(client, batch(changed)).json()

    assert response["results"][0]["status"] == "duplicate"
    assert response["results"][0]["log"] == stored
    assert ConversationLog.objects.get().result == "contacted"


def test_a_partly_bad_batch_keeps_its_valid_items(client_for, canvasser_a, turf_a):
    good_one, good_two, door = doors(turf_a)[:3]
    body = batch(
        log_item(good_one),
        log_item(door, client_uuid="not-a-uuid"),
        log_item(door, result="abducted"),
        log_item(door, support_level=6),
        log_item(door, result="not_home", support_level=3),
        log_item(door, location={"latitude": 91, "longitude": -93.6}),
        log_item(door, notes="x" * 1001),
        log_item(good_two),
    )

    data = push(client_for(canvasser_a), body).json()

    statuses = [r["status"] for r in data["results"]]
    assert statuses == ["created"] + ["rejected"] * 6 + ["created"]
    errors = [r.get("errors") for r in data["results"]]
    assert errors[1] == {"client_uuid": ["Required: a UUID."]}
    assert list(errors[2]) == ["result"]
    assert errors[3] == {"support_level": ["Expected an integer from 1 to 5."]}
    assert errors[4] == {"support_level": ["Only for a contacted person."]}
    assert errors[5] == {"location.latitude": ["Expected a number from -90 to 90."]}
    assert errors[6] == {"notes": ["At most 1000 characters."]}
    assert ConversationLog.objects.count() == 2


def test_a_log_for_a_door_outside_my_turf_is_rejected(client_for, canvasser_a, turf_a, turf_b):
    other_door = doors(turf_b)[0]
    unassigned = Household.objects.create(street="9 NOWHERE", address_key="9 NOWHERE||")

    data = push(client_for(canvasser_a), batch(log_item(other_door), log_item(unassigned))).json()

    assert [r["errors"] for r in data["results"]] == [
        {"household": ["This door is not in turf assigned to you."]}
    ] * 2
    assert not ConversationLog.objects.exists()


def test_a_contacted_at_in_the_future_is_rejected_and_an_old_one_kept(
    client_for, canvasser_a, turf_a
):
    first, second = doors(turf_a)[:2]
    future = (timezone.now() + timedelta(hours=3)).isoformat()
    old = (timezone.now() - timedelta(days=40)).isoformat()

    data = push(
        client_for(canvasser_a),
        batch(log_item(first, contacted_at=future), log_item(second, contacted_at=old)),
    ).json()

    assert data["results"][0]["errors"] == {
        "contacted_at": ["In the future: check the phone's clock."]
    }
    assert data["results"][1]["status"] == "created"
    assert ConversationLog.objects.get().household == second


def test_a_far_away_log_is_flagged_not_rejected(client_for, canvasser_a, turf_a):
    door = doors(turf_a)[0]
    far = {"latitude": door.latitude + 0.003, "longitude": door.longitude, "accuracy_m": 10}
    near_enough = {
        "latitude": door.latitude + 0.0018,
        "longitude": door.longitude,
        "accuracy_m": 80,
    }

    data = push(
        client_for(canvasser_a),
        batch(
            log_item(door, location=far),
            log_item(door, location=near_enough),
            log_item(door, location=None),
        ),
    ).json()

    assert [r["log"]["flags"] for r in data["results"]] == [["distance"], [], ["unverified"]]
    distances = sorted(
        ConversationLog.objects.exclude(distance_m=None).values_list("distance_m", flat=True)
    )
    assert distances[0] == pytest.approx(200, abs=2)
    assert distances[1] == pytest.approx(334, abs=2)


def test_logging_faster_than_the_pace_limit_is_flagged(client_for, canvasser_a, turf_a, settings):
    settings.CANVASS_MAX_DOORS_PER_HOUR = 3
    door = doors(turf_a)[0]
    start = timezone.now() - timedelta(minutes=30)
    items = [
        log_item(door, contacted_at=(start + timedelta(minutes=i)).isoformat()) for i in range(5)
    ]

    data = push(client_for(canvasser_a), batch(*items)).json()

    assert [r["log"]["flags"] for r in data["results"]] == [[], [], [], ["pace"], ["pace"]]


def test_a_note_about_immigration_status_is_refused_and_the_log_kept(
    client_for, canvasser_a, turf_a
):
    first, second, third = doors(turf_a)[:3]
    body = batch(
        log_item(first, notes="Dad worried about ICE at work"),
        log_item(second, notes="Ella dijo que no tiene papeles, Ciudadanía pendiente"),
        log_item(third, notes="Loves ice cream; wants a yard sign"),
    )

    data = push(client_for(canvasser_a), body).json()

    message = "Please rephrase: do not record anyone's immigration or citizenship status."
    assert [r["status"] for r in data["results"]] == ["created"] * 3
    assert [r.get("warnings") for r in data["results"]] == [
        {"notes": [message]},
        {"notes": [message]},
        None,
    ]
    notes = {log.household_id: log.notes for log in ConversationLog.objects.all()}
    assert notes == {first.pk: "", second.pk: "", third.pk: "Loves ice cream; wants a yard sign"}


def test_the_sensitive_word_list_is_a_setting(client_for, canvasser_a, turf_a, settings):
    settings.CANVASS_SENSITIVE_WORDS = ["pasaporte"]
    first, second = doors(turf_a)[:2]

    data = push(
        client_for(canvasser_a),
        batch(log_item(first, notes="Sin PASAPORTE"), log_item(second, notes="visa card fan")),
    ).json()

    assert "warnings" in data["results"][0]
    assert "warnings" not in data["results"][1]


def test_safety_flags_are_raised_on_the_door(client_for, canvasser_a, turf_a):
    first, second, third = doors(turf_a)[:3]

    push(
        client_for(canvasser_a),
        batch(
            log_item(first, result="refused", support_level=None, do_not_knock=True),
            log_item(second, result="moved", support_level=None),
            log_item(third, result="deceased", support_level=None),
        ),
    )

    flags = {
        h.pk: (h.do_not_knock, h.moved, h.deceased)
        for h in Household.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    }
    assert flags == {
        first.pk: (True, False, False),
        second.pk: (False, True, False),
        third.pk: (False, False, True),
    }


def test_readiness_is_recorded_on_push(client_for, canvasser_a, turf_a):
    push(client_for(canvasser_a), batch(log_item(doors(turf_a)[0]), pending_count=7))

    device = DeviceSync.objects.get()
    assert (device.canvasser, device.device_id, device.app_version, device.pending_count) == (
        canvasser_a,
        "phone-1",
        "1.4.0",
        7,
    )
    assert device.last_push_at is not None and device.last_pull_at is None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ([], 400, "non_field_errors"),
        ({"device_id": "p", "batch_id": str(uuid.uuid4()), "logs": {}}, 400, "logs"),
        ({"device_id": "p", "batch_id": str(uuid.uuid4()), "logs": []}, 400, "logs"),
        ({"device_id": "", "batch_id": str(uuid.uuid4()), "logs": [{}]}, 400, "device_id"),
        ({"device_id": "p", "batch_id": "nope", "logs": [{}]}, 400, "batch_id"),
    ],
)
def test_whole_request_problems_are_a_400_naming_the_field(
    client_for, canvasser_a, body, status, field
):
    response = push(client_for(canvasser_a), body)

    assert response.status_code == status
    assert field in response.json()["error"]["fields"]


def test_a_batch_over_the_maximum_is_a_413(client_for, canvasser_a, turf_a, settings):
    settings.SYNC_MAX_BATCH = 3
    door = doors(turf_a)[0]

    response = push(client_for(canvasser_a), batch(*(log_item(door) for _ in range(4))))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "batch_too_large"
    assert not ConversationLog.objects.exists()


def test_a_batch_costs_a_constant_number_of_queries(client_for, canvasser_a, turf_a):
    client = client_for(canvasser_a)
    all_doors = doors(turf_a)
    push(client, batch(log_item(all_doors[0])))  # warm up: the device's readiness row

    def count(n):
        items = [log_item(all_doors[i % len(all_doors)]) for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            assert push(client, batch(*items)).status_code == 200
        inserts = [q for q in queries if "INSERT" in q["sql"] and "conversationlog" in q["sql"]]
        return len(queries) - len(inserts), len(inserts)

    (small, small_inserts), (large, large_inserts) = count(2), count(500)

    assert small == large <= 12
    if connection.vendor == "postgresql":
        # One INSERT ... SELECT FROM unnest(...) for the whole batch.
        assert small_inserts == large_inserts == 1
    else:
        # SQLite's bulk_create splits by its variable limit: one statement per ~30 rows.
        assert large_inserts <= 500 // 30 + 1


def test_the_same_uuid_twice_in_one_batch_is_stored_once(client_for, canvasser_a, turf_a):
    item = log_item(doors(turf_a)[0])

    data = push(client_for(canvasser_a), batch(item, dict(item))).json()

    assert [r["status"] for r in data["results"]] == ["created", "duplicate"]
    assert data["results"][0]["log"] == data["results"][1]["log"]
    assert ConversationLog.objects.count() == 1


def test_another_canvassers_uuid_is_never_shown(
    client_for, canvasser_a, canvasser_b, turf_a, turf_b
):
    item = log_item(doors(turf_b)[0])
    push(client_for(canvasser_b), batch(item))

    data = push(client_for(canvasser_a), batch({**item, "household": doors(turf_a)[0].pk})).json()

    assert data["results"][0] == {
        "index": 0,
        "client_uuid": item["client_uuid"],
        "status": "rejected",
        "errors": {"client_uuid": ["This UUID is already used by another log."]},
    }


@pytest.mark.parametrize("role", ["organizer", "lead_a"])
def test_only_canvassers_push(client_for, request, role, turf_a):
    user = request.getfixturevalue(role)

    response = push(client_for(user), batch(log_item(doors(turf_a)[0])))

    assert response.status_code == 403


def test_a_push_cannot_set_the_canvasser_turf_received_time_or_flags(
    client_for, canvasser_a, canvasser_b, turf_a, turf_b
):
    item = log_item(
        doors(turf_a)[0],
        canvasser=canvasser_b.pk,
        turf=turf_b.pk,
        received_at="2020-01-01T00:00:00Z",
        excluded=True,
        flag_cleared=True,
        location=None,
    )

    data = push(client_for(canvasser_a), batch(item)).json()

    log = ConversationLog.objects.get()
    assert data["results"][0]["status"] == "created"
    assert (log.canvasser, log.turf, log.excluded, log.flag_cleared) == (
        canvasser_a,
        turf_a,
        False,
        False,
    )
    assert log.received_at.year == timezone.now().year and log.flag_unverified


@pytest.mark.parametrize(
    ("a", "b"),
    [((41.586, -93.625), (41.5869, -93.625)), ((41.6, -93.6), (41.7, -93.9)), ((0, 0), (0, 180))],
)
def test_the_fast_great_circle_matches_geopy(a, b):
    from geopy.distance import great_circle

    from backend.geo.services import great_circle_m

    assert great_circle_m(*a, *b) == pytest.approx(great_circle(a, b).meters, abs=1e-6)


def test_ids_beyond_the_database_range_are_rejected_not_a_500(client_for, canvasser_a, turf_a):
    door = doors(turf_a)[0]

    data = push(
        client_for(canvasser_a),
        batch({**log_item(door), "household": 10**20}, log_item(door, voter=-1), log_item(door)),
    ).json()

    assert [r["status"] for r in data["results"]] == ["rejected", "rejected", "created"]
    assert list(data["results"][0]["errors"]) == ["household"]
    assert list(data["results"][1]["errors"]) == ["voter"]
