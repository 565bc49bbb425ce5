"""The canvasser, field-lead and volunteer flows driven THROUGH A GENERATED CLIENT ONLY.

The client is generated at test time by openapi-python-client from the schema the live server
serves (the `generated_client` fixture in tests/conftest.py), with `raise_on_unexpected_status`, so
an undocumented status code raises and a body that does not match the schema fails to parse: the
same crashes a mobile team's generated client would have. Test data is set up with the ORM; every
request goes through the generated package against pytest-django's live server."""

from __future__ import annotations

import uuid
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from django.utils import timezone

from canvass.models import ConversationLog, Turf, TurfAssignment
from events.models import Event, EventKind, Location, Shift, ShiftRole, Signup, SignupStatus
from events.services.signups import signup_create
from tests.canvass.conftest import assign, make_household, make_turf

PASSWORD_SUFFIX = "-Pass-2026!"


def _client(generated: Any, live_server: Any, token: str | None = None) -> Any:
    package = generated.package
    if token is None:
        return package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    return package.AuthenticatedClient(
        base_url=live_server.url, token=token, raise_on_unexpected_status=True
    )


def _login(generated: Any, live_server: Any, username: str) -> Any:
    models = generated.module("models")
    login = generated.module("api.auth.auth_login_create")
    response = login.sync_detailed(
        client=_client(generated, live_server),
        body=models.LoginInputRequest(
            username=username, password=f"{username}{PASSWORD_SUFFIX}", device="generated"
        ),
    )
    assert response.status_code == HTTPStatus.OK, response.content
    return _client(generated, live_server, response.parsed.token)


def _square(lon: float, lat: float, size: float) -> list[list[list[float]]]:
    return [
        [
            [lon, lat],
            [lon + size, lat],
            [lon + size, lat + size],
            [lon, lat + size],
            [lon, lat],
        ]
    ]


def test_the_canvasser_flow_through_the_generated_client(
    generated_client, live_server, team_a, canvasser_a, canvasser_b
):
    gen = generated_client
    models = gen.module("models")
    households = [make_household(41.586 + i * 0.0009, -93.625) for i in range(3)]
    turf = make_turf(team_a, households, name="Generated turf")
    assign(turf, canvasser_a)
    client = _login(gen, live_server, "canvasser_a")

    mine = gen.module("api.me.me_turfs_list").sync_detailed(client=client)
    assert mine.status_code == HTTPStatus.OK
    assert [t.id for t in mine.parsed] == [turf.pk]
    assert mine.parsed[0].precinct is None

    walk = gen.module("api.turfs.turfs_walk_list_retrieve").sync_detailed(turf.pk, client=client)
    assert walk.status_code == HTTPStatus.OK
    assert [stop.household.id for stop in walk.parsed.stops] == [h.pk for h in households]
    assert all(stop.latest_result is None for stop in walk.parsed.stops)

    door = households[0]
    push = gen.module("api.sync.sync_push").sync_detailed(
        client=client,
        body=models.SyncPushInputRequest(
            device_id="phone-generated",
            batch_id=uuid.uuid4(),
            logs=[
                models.LogItemInputRequest(
                    client_uuid=uuid.uuid4(),
                    household=door.pk,
                    result=models.ConversationResultEnum.CONTACTED,
                    contacted_at=timezone.now() - timedelta(minutes=1),
                    support_level=2,
                    location=models.DeviceLocationRequest(
                        latitude=door.latitude + 0.00009, longitude=door.longitude, accuracy_m=8
                    ),
                )
            ],
        ),
    )
    assert push.status_code == HTTPStatus.OK, push.content
    assert push.parsed.counts.created == 1
    log_id = push.parsed.results[0].log.id
    assert ConversationLog.objects.get(pk=log_id).support_level == 2

    pull = gen.module("api.sync.sync_pull").sync_detailed(client=client, device_id="phone-2")
    assert pull.status_code == HTTPStatus.OK, pull.content
    assert pull.parsed.cursor

    corrected = gen.module("api.logs.logs_partial_update").sync_detailed(
        log_id, client=client, body=models.PatchedLogUpdateInputRequest(support_level=4)
    )
    assert corrected.status_code == HTTPStatus.OK, corrected.content
    assert corrected.parsed.log.support_level == 4
    # Not asked at the door: null, as the client sent it (stored as "").
    assert corrected.parsed.log.pledge is None
    assert corrected.parsed.log.will_caucus is None
    assert ConversationLog.objects.get(pk=log_id).support_level == 4

    other = _login(gen, live_server, "canvasser_b")
    hidden = gen.module("api.turfs.turfs_walk_list_retrieve").sync_detailed(turf.pk, client=other)
    assert hidden.status_code == HTTPStatus.NOT_FOUND
    assert hidden.parsed.error.code == "not_found"
    refused = gen.module("api.logs.logs_partial_update").sync_detailed(
        log_id, client=other, body=models.PatchedLogUpdateInputRequest(support_level=1)
    )
    assert refused.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)
    assert ConversationLog.objects.get(pk=log_id).support_level == 4


def test_the_field_lead_flow_through_the_generated_client(
    generated_client, live_server, team_a, lead_a, canvasser_a, lead_b
):
    gen = generated_client
    models = gen.module("models")
    cut_doors = [make_household(41.5861 + i * 0.0001, -93.6249) for i in range(3)]
    auto_doors = [make_household(41.6001 + i * 0.0001, -93.6249 + i * 0.0001) for i in range(4)]
    client = _login(gen, live_server, "lead_a")

    created = gen.module("api.turfs.turfs_create").sync_detailed(
        client=client,
        body=models.TurfCreateInputRequest(
            name="Cut by polygon",
            team=team_a.pk,
            boundary=models.TurfCreateInputRequestBoundaryType0(
                type_=models.TurfCreateInputRequestBoundaryType0Type.POLYGON,
                coordinates=_square(-93.6250, 41.5860, 0.001),
            ),
        ),
    )
    assert created.status_code == HTTPStatus.CREATED, created.content
    turf_id = created.parsed.id
    assert created.parsed.precinct is None
    assert set(Turf.objects.get(pk=turf_id).stops.values_list("household_id", flat=True)) == {
        h.pk for h in cut_doors
    }

    cut = gen.module("api.turfs.turfs_auto_cut_create").sync_detailed(
        client=client,
        body=models.TurfAutoCutInputRequest(
            team=team_a.pk,
            boundary=models.TurfAutoCutInputRequestBoundaryType1(
                type_=models.TurfAutoCutInputRequestBoundaryType1Type.MULTIPOLYGON,
                coordinates=[_square(-93.6250, 41.6000, 0.001)],
            ),
            min_doors=2,
            max_doors=2,
            name_prefix="Auto",
        ),
    )
    assert cut.status_code == HTTPStatus.CREATED, cut.content
    assert sorted(t.door_count for t in cut.parsed.turfs) == [2, 2]
    auto_turfs = Turf.objects.filter(name__startswith="Auto")
    assert auto_turfs.count() == 2
    assert {stop.household_id for turf in auto_turfs for stop in turf.stops.all()} == {
        h.pk for h in auto_doors
    }

    assigned = gen.module("api.turfs.turfs_assignments_create").sync_detailed(
        turf_id, client=client, body=models.TurfAssignInputRequest(canvasser=canvasser_a.pk)
    )
    assert assigned.status_code == HTTPStatus.CREATED, assigned.content
    assert assigned.parsed.unassigned_by is None
    again = gen.module("api.turfs.turfs_assignments_create").sync_detailed(
        turf_id, client=client, body=models.TurfAssignInputRequest(canvasser=canvasser_a.pk)
    )
    assert again.status_code == HTTPStatus.CONFLICT
    assert TurfAssignment.objects.filter(turf_id=turf_id, unassigned_at__isnull=True).count() == 1

    geojson = gen.module("api.turfs.turfs_geojson_retrieve").sync_detailed(turf_id, client=client)
    assert geojson.status_code == HTTPStatus.OK, geojson.content
    kinds = [feature.properties.kind.value for feature in geojson.parsed.features]
    assert kinds == ["boundary", "door", "door", "door"]
    assert geojson.parsed.features[0].geometry.coordinates == _square(-93.6250, 41.5860, 0.001)

    progress = gen.module("api.turfs.turfs_progress_retrieve").sync_detailed(turf_id, client=client)
    assert progress.status_code == HTTPStatus.OK, progress.content
    assert progress.parsed.doors_total == 3

    shift = _shift(team_a)
    signup = signup_create(
        shift_id=shift.pk, name="Roster Person", phone="(515) 555-0150", sms_consent=True
    ).signup
    roster = gen.module("api.shifts.shifts_roster_list").sync_detailed(shift.pk, client=client)
    assert roster.status_code == HTTPStatus.OK, roster.content
    (entry,) = roster.parsed
    assert entry.id == signup.pk
    assert entry.cancelled_at is None and entry.checked_in_at is None

    checked_in = gen.module("api.signups.signups_attendance_create").sync_detailed(
        signup.pk,
        client=client,
        body=models.AttendanceInputRequest(status=models.AttendanceStatusEnum.ATTENDED),
    )
    assert checked_in.status_code == HTTPStatus.OK, checked_in.content
    assert checked_in.parsed.checked_in_at is not None
    signup.refresh_from_db()
    assert signup.status == SignupStatus.ATTENDED and signup.checked_in_at is not None

    other_team = _login(gen, live_server, "lead_b")
    foreign = gen.module("api.turfs.turfs_progress_retrieve").sync_detailed(
        turf_id, client=other_team
    )
    assert foreign.status_code == HTTPStatus.NOT_FOUND
    foreign_roster = gen.module("api.shifts.shifts_roster_list").sync_detailed(
        shift.pk, client=other_team
    )
    assert foreign_roster.status_code == HTTPStatus.NOT_FOUND


def test_the_volunteer_flow_through_the_generated_client(generated_client, live_server, team_a):
    gen = generated_client
    models = gen.module("models")
    shift = _shift(team_a)
    hidden = _shift(team_a, is_public=False)
    client = _client(gen, live_server)

    listed = gen.module("api.public.public_events_list").sync_detailed(client=client)
    assert listed.status_code == HTTPStatus.OK, listed.content
    assert [event.id for event in listed.parsed.results] == [shift.event_id]
    assert hidden.event_id not in [event.id for event in listed.parsed.results]

    signed_up = gen.module("api.public.public_shifts_signups_create").sync_detailed(
        shift.pk,
        client=client,
        body=models.PublicSignupInputRequest(
            name="Generated Volunteer", phone="(515) 555-0142", sms_consent=True
        ),
    )
    assert signed_up.status_code == HTTPStatus.CREATED, signed_up.content
    assert signed_up.parsed.signup.status == models.SignupStatusEnum.CONFIRMED
    token = signed_up.parsed.manage_token
    signup = Signup.objects.get(pk=signed_up.parsed.signup.id)
    assert signup.shift_id == shift.pk and signup.volunteer.email == ""

    twice = gen.module("api.public.public_shifts_signups_create").sync_detailed(
        shift.pk,
        client=client,
        body=models.PublicSignupInputRequest(
            name="Generated Volunteer", phone="(515) 555-0142", sms_consent=True
        ),
    )
    assert twice.status_code == HTTPStatus.CONFLICT
    assert twice.parsed.error.code == "already_signed_up"

    page = gen.module("api.public.public_me_retrieve").sync_detailed(token, client=client)
    assert page.status_code == HTTPStatus.OK, page.content
    assert [s.id for s in page.parsed.signups] == [signup.pk]

    cancelled = gen.module("api.public.public_me_signups_cancel_create").sync_detailed(
        token, signup.pk, client=client
    )
    assert cancelled.status_code == HTTPStatus.OK, cancelled.content
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CANCELLED

    forged = gen.module("api.public.public_me_retrieve").sync_detailed(
        token[:-2] + "xx", client=client
    )
    assert forged.status_code == HTTPStatus.NOT_FOUND


def _shift(team: Any, *, is_public: bool = True) -> Shift:
    starts = timezone.now() + timedelta(days=3)
    location = Location.objects.create(
        name=f"Site {uuid.uuid4().hex[:6]}",
        address="1 MAIN ST",
        city="DES MOINES",
        county="Polk",
        zip_code="50309",
        latitude=41.5868,
        longitude=-93.6250,
    )
    event = Event.objects.create(
        title="Caucus night",
        kind=EventKind.CAUCUS_NIGHT,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        team=team,
        is_public=is_public,
        location=location,
    )
    return Shift.objects.create(
        event=event,
        role=ShiftRole.CANVASSER,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=5,
    )
