"""The leaders' pledge scorecard: organizers record leaders and sourced positions (history,
audit), bad input is refused naming the field, the public reads published leaders only, and a
canvasser's pull carries the leaders of the turf's precinct (an edit reaches the next pull)."""

from __future__ import annotations

import pytest
import time_machine

from backend.audit.models import AuditEvent
from canvass.models import Leader, LeaderPosition, LeaderPositionChange, Precinct
from tests.canvass.conftest import assign, make_household, make_turf

pytestmark = pytest.mark.django_db

TODAY = "2026-11-20T18:00:00Z"
SOURCE = "https://example.org/2026/11/forum"


def make_precinct(county: str, name: str, district: str = "") -> Precinct:
    return Precinct.objects.create(
        county=county,
        county_key=county.upper(),
        name=name,
        name_key=name.upper().replace(" ", ""),
        district=district,
        boundary={"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [0, 0]]]},
        min_lat=0,
        max_lat=1,
        min_lon=0,
        max_lon=1,
    )


def position(plank: str = "end-detention", **extra) -> dict:
    return {
        "plank": plank,
        "stance": "pledged",
        "source_url": SOURCE,
        "source_date": "2026-11-02",
        "summary": "Signed the pledge at the forum.",
        **extra,
    }


def leader_body(**extra) -> dict:
    return {
        "name": "Rep. Demo Example",
        "office": "Iowa House District 34",
        "party": "Democratic",
        "jurisdiction": "county",
        "county": "polk county",
        "positions": [position()],
        **extra,
    }


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def create(client, **extra):
    return client.post("/api/leaders", leader_body(**extra), format="json")


def public_position(**extra) -> dict:
    return {
        "plank": "end-detention",
        "title_en": "End detention",
        "title_es": "Acabar con la detencion",
        "stance": "pledged",
        "summary": "Signed the pledge at the forum.",
        "source_url": SOURCE,
        "source_date": "2026-11-02",
        **extra,
    }


def test_an_organizer_records_a_leader_with_a_sourced_position(client_for, organizer):
    response = create(client_for(organizer))

    assert response.status_code == 201
    leader = Leader.objects.get()
    assert response.json() == {
        "id": leader.pk,
        "name": "Rep. Demo Example",
        "office": "Iowa House District 34",
        "party": "Democratic",
        "jurisdiction": "county",
        "county": "Polk",  # canonical, however it was spelled
        "district": "",
        "precinct": None,
        "positions": [public_position()],
        "published": False,
        "created_at": "2026-11-20T12:00:00-06:00",
        "updated_at": "2026-11-20T12:00:00-06:00",
    }
    change = LeaderPositionChange.objects.get()
    assert (change.changed_by, change.old_stance, change.new_stance, change.old_source_url) == (
        organizer,
        "",
        "pledged",
        "",
    )
    assert AuditEvent.objects.filter(action="leader.create", target_id=str(leader.pk)).exists()


def test_a_changed_position_keeps_its_history_and_an_unchanged_one_writes_nothing(
    client_for, organizer
):
    client = client_for(organizer)
    leader_id = create(client).json()["id"]
    newer = position(
        stance="partly", source_url="https://example.org/later", source_date="2026-11-15"
    )

    changed = client.post(f"/api/leaders/{leader_id}/positions", newer, format="json")
    again = client.post(f"/api/leaders/{leader_id}/positions", newer, format="json")
    history = client_for(organizer).get(f"/api/leaders/{leader_id}/history")

    assert changed.status_code == again.status_code == 200
    assert changed.json()["positions"] == [
        public_position(
            stance="partly", source_url="https://example.org/later", source_date="2026-11-15"
        )
    ]
    assert history.json() == [
        {
            "plank": "end-detention",
            "changed_by": {"id": organizer.pk, "username": "organizer"},
            "changed_at": "2026-11-20T12:00:00-06:00",
            "old_stance": "",
            "new_stance": "pledged",
            "old_source_url": "",
            "new_source_url": SOURCE,
            "old_source_date": None,
            "new_source_date": "2026-11-02",
        },
        {
            "plank": "end-detention",
            "changed_by": {"id": organizer.pk, "username": "organizer"},
            "changed_at": "2026-11-20T12:00:00-06:00",
            "old_stance": "pledged",
            "new_stance": "partly",
            "old_source_url": SOURCE,
            "new_source_url": "https://example.org/later",
            "old_source_date": "2026-11-02",
            "new_source_date": "2026-11-15",
        },
    ]
    assert LeaderPosition.objects.get().stance == "partly"
    assert AuditEvent.objects.filter(action="leader.position").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source_url": ""}, "positions.0.source_url"),
        ({"source_url": "ftp://example.org/pledge"}, "positions.0.source_url"),
        ({"source_url": "javascript:alert(1)"}, "positions.0.source_url"),
        ({"source_url": "example.org/pledge"}, "positions.0.source_url"),
        ({"source_date": "2026-11-21"}, "positions.0.source_date"),  # tomorrow
        ({"plank": "no-such-plank"}, "positions.0.plank"),
        ({"stance": "maybe"}, "positions.0.stance"),
    ],
)
def test_a_bad_position_is_refused_naming_the_field_and_nothing_is_stored(
    client_for, organizer, change, field
):
    response = create(client_for(organizer), positions=[position(**change)])

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert field in fields, fields
    assert not Leader.objects.exists()
    assert not LeaderPositionChange.objects.exists()


@pytest.mark.parametrize("missing", ["source_url", "source_date"])
def test_a_position_without_a_source_is_refused(client_for, organizer, missing):
    client = client_for(organizer)
    leader_id = create(client, positions=[]).json()["id"]
    body = {k: v for k, v in position().items() if k != missing}

    response = client.post(f"/api/leaders/{leader_id}/positions", body, format="json")

    assert response.status_code == 400
    assert missing in response.json()["error"]["fields"]
    assert not LeaderPosition.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"county": ""}, "county"),
        ({"county": "Atlantis"}, "county"),
        ({"jurisdiction": "precinct", "county": "", "precinct": 999999}, "precinct"),
        ({"jurisdiction": "district", "county": ""}, "district"),
        ({"jurisdiction": "state", "district": "HD 34", "county": ""}, "district"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_place_is_refused_naming_the_field(client_for, organizer, change, field):
    response = create(client_for(organizer), **change)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Leader.objects.exists()


@pytest.mark.parametrize("who", ["lead_a", "canvasser_a"])
def test_only_organizers_write_the_scorecard(client_for, organizer, who, request):
    leader_id = create(client_for(organizer)).json()["id"]
    client = client_for(request.getfixturevalue(who))

    statuses = (
        create(client).status_code,
        client.patch(f"/api/leaders/{leader_id}", {"published": True}, format="json").status_code,
        client.post(
            f"/api/leaders/{leader_id}/positions", position(stance="declined"), format="json"
        ).status_code,
    )

    assert statuses == (403, 403, 403)
    assert Leader.objects.count() == 1
    assert Leader.objects.get().published is False
    assert LeaderPosition.objects.get().stance == "pledged"


def test_field_leads_read_the_scorecard_and_canvassers_do_not(
    client_for, organizer, lead_b, canvasser_a
):
    leader_id = create(client_for(organizer)).json()["id"]

    assert [x["id"] for x in client_for(lead_b).get("/api/leaders").json()] == [leader_id]
    assert client_for(lead_b).get(f"/api/leaders/{leader_id}").status_code == 200
    assert client_for(canvasser_a).get("/api/leaders").status_code == 403


def test_the_public_scorecard_shows_published_leaders_only_filtered_and_paged(
    client_for, organizer, api_client
):
    client = client_for(organizer)
    polk = create(client, published=True).json()["id"]
    create(client, name="Draft Person")  # not published
    story = create(
        client, name="Sen. Story", county="Story", office="Iowa Senate", published=True
    ).json()["id"]

    everyone = api_client.get("/api/public/leaders").json()
    in_polk = api_client.get("/api/public/leaders", {"county": "POLK"}).json()
    senate = api_client.get("/api/public/leaders", {"race": "iowa senate"}).json()
    detail = api_client.get(f"/api/public/leaders/{polk}")

    assert everyone["count"] == 2
    assert [x["id"] for x in everyone["results"]] == [polk, story]  # by office, then name
    assert [x["id"] for x in in_polk["results"]] == [polk]
    assert [x["name"] for x in senate["results"]] == ["Sen. Story"]
    assert detail.status_code == 200
    assert detail.json() == {
        "id": polk,
        "name": "Rep. Demo Example",
        "office": "Iowa House District 34",
        "party": "Democratic",
        "jurisdiction": "county",
        "county": "Polk",
        "district": "",
        "precinct": None,
        "positions": [public_position()],
    }
    draft = Leader.objects.get(name="Draft Person")
    assert api_client.get(f"/api/public/leaders/{draft.pk}").status_code == 404


def test_publishing_and_editing_a_leader_is_audited(client_for, organizer):
    client = client_for(organizer)
    leader_id = create(client).json()["id"]

    response = client.patch(
        f"/api/leaders/{leader_id}", {"published": True, "county": "Story"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["published"], response.json()["county"]) == (True, "Story")
    event = AuditEvent.objects.get(action="leader.update")
    assert sorted(event.details["fields"]) == ["county", "published"]


# --- The pull -------------------------------------------------------------------------------


@pytest.fixture
def places():
    here = make_precinct("Polk", "Des Moines 71", district="HD 34")
    there = make_precinct("Story", "Ames 1")
    return {"here": here, "there": there}


@pytest.fixture
def my_turf(team_a, canvasser_a, places):
    turf = make_turf(
        team_a, [make_household(41.6, -93.6)], name="Turf DM 71", precinct=places["here"]
    )
    assign(turf, canvasser_a)
    return turf


def publish(client, **extra) -> int:
    response = create(client, published=True, **extra)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


@pytest.fixture
def scorecard(client_for, organizer, places):
    client = client_for(organizer)
    return {
        "state": publish(
            client, name="Gov. State", jurisdiction="state", county="", office="Governor"
        ),
        "county": publish(client, name="Sup. Polk", office="Polk Supervisor"),
        "district": publish(
            client, name="Rep. District", jurisdiction="district", county="", district="hd 34"
        ),
        "precinct": publish(
            client,
            name="Chair Precinct",
            jurisdiction="precinct",
            county="",
            precinct=places["here"].pk,
        ),
        "elsewhere": publish(client, name="Sup. Story", county="Story"),
        "draft": create(client, name="Draft Polk").json()["id"],
    }


@pytest.mark.django_db(transaction=True)
def test_the_pull_carries_the_leaders_of_the_turfs_precinct_and_an_edit_reaches_the_next_pull(
    client_for, organizer, canvasser_a, canvasser_b, my_turf, scorecard
):
    phone = client_for(canvasser_a)
    first = phone.get("/api/sync/pull").json()

    leaders = {x["id"]: x for x in first["leaders"]}
    assert sorted(leaders) == sorted(
        scorecard[k] for k in ("state", "county", "district", "precinct")
    )
    assert leaders[scorecard["county"]] == {
        "id": scorecard["county"],
        "removed": False,
        "name": "Sup. Polk",
        "office": "Polk Supervisor",
        "party": "Democratic",
        "jurisdiction": "county",
        "county": "Polk",
        "district": "",
        "precinct": None,
        "positions": [public_position()],
        "turfs": [my_turf.pk],
    }
    assert client_for(canvasser_b).get("/api/sync/pull").json()["leaders"] == []
    unchanged = phone.get("/api/sync/pull", {"cursor": first["cursor"]}).json()
    assert unchanged["leaders"] == []

    client_for(organizer).post(
        f"/api/leaders/{scorecard['county']}/positions",
        position(stance="declined", source_url="https://example.org/no"),
        format="json",
    )
    client_for(organizer).patch(
        f"/api/leaders/{scorecard['precinct']}", {"published": False}, format="json"
    )
    second = phone.get("/api/sync/pull", {"cursor": first["cursor"]}).json()

    by_id = {x["id"]: x for x in second["leaders"]}
    assert sorted(by_id) == sorted([scorecard["county"], scorecard["precinct"]])
    assert by_id[scorecard["county"]]["positions"][0]["stance"] == "declined"
    assert by_id[scorecard["precinct"]] == {"id": scorecard["precinct"], "removed": True}


def test_a_leader_of_a_newly_assigned_turf_arrives_and_an_unassigned_turf_drops_it(
    client_for, canvasser_a, lead_a, team_a, places, scorecard
):
    from tests.canvass.phone import Phone, fresh_state

    phone = Phone(client_for(canvasser_a))
    phone.sync()
    assert phone.leaders == {}  # no turf held: no leaders
    turf = make_turf(team_a, [make_household(41.6, -93.6)], name="T", precinct=places["there"])
    assign(turf, canvasser_a)
    phone.sync()
    assert sorted(phone.leaders) == sorted([scorecard["state"], scorecard["elsewhere"]])
    assert phone.state() == fresh_state(client_for(canvasser_a))

    response = client_for(lead_a).delete(f"/api/turfs/{turf.pk}/assignments/{canvasser_a.pk}")
    assert response.status_code in (200, 204)
    phone.sync()
    assert phone.leaders == {}
    assert phone.state() == fresh_state(client_for(canvasser_a))


def test_the_public_list_costs_the_same_queries_for_two_leaders_or_six(
    client_for, organizer, api_client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(organizer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get("/api/public/leaders").status_code == 200
        return len(captured)

    for n in range(2):
        publish(client, name=f"Leader {n}", positions=[position(), position("halt-deportations")])
    few = queries()
    for n in range(4):
        publish(client, name=f"More {n}", positions=[position(), position("halt-deportations")])

    assert queries() == few
