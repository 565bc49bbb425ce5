"""The pull says "forget this": erased, deleted and moved voters, doors out of turf, deleted logs;
and a pull with nothing new sends nothing, even while a transaction is open elsewhere."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from backend.accounts.models import Membership, Role, User
from canvass.models import (
    ConversationLog,
    Household,
    SyncRemoval,
    TurfHousehold,
    Voter,
)
from tests.canvass.conftest import assign, batch, csv_bytes, doors, log_item, make_turf, make_voter
from tests.canvass.phone import Phone, fresh_state, pull_pages

# Committed transactions: on PostgreSQL a stamp is the id of the transaction that wrote it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def canvasser_a2(team_a):
    user = User.objects.create_user(
        username="canvasser_a2", password="x-Pass-2026!", role=Role.CANVASSER
    )
    Membership.objects.create(team=team_a, user=user)
    return user


def test_an_erased_voter_reaches_every_phone_that_pulled_them_before_any_other_change(
    client_for, organizer, lead_a, canvasser_a, canvasser_a2, canvasser_b, turf_a, turf_b
):
    from canvass.services.turf import turf_unassign

    door = doors(turf_a)[0]
    voter = make_voter(door, first_name="Rosa")
    assign(turf_a, canvasser_a2)
    phone, other_phone = Phone(client_for(canvasser_a)), Phone(client_for(canvasser_a2))
    phone.sync()
    other_phone.sync()
    assert phone.voters[voter.pk]["first_name"] == "Rosa"
    client_for(canvasser_a).post(
        "/api/sync/push", batch(log_item(door, voter=voter.pk)), format="json"
    )
    phone.sync()
    turf_unassign(actor=lead_a, turf=turf_a, canvasser_id=canvasser_a2.pk)
    other_cursor = other_phone.cursor
    foreign_cursor = Phone(client_for(canvasser_b))
    foreign_cursor.sync()

    response = client_for(organizer).post(
        "/api/privacy/erasures", {"kind": "voter", "id": voter.pk}, format="json"
    )
    assert response.status_code == 201
    first_page = client_for(canvasser_a).get("/api/sync/pull", {"cursor": phone.cursor, "limit": 1})

    assert not Voter.objects.filter(pk=voter.pk).exists()
    assert SyncRemoval.objects.filter(kind="voter", object_id=voter.pk).count() == 1
    body = first_page.json()
    # The anonymized log changed too, but the erasure comes first.
    assert body["removed_voters"] == [{"voter": voter.pk, "household": door.pk}]
    assert body["has_more"] is True and body["logs"] == []
    phone.sync()
    assert voter.pk not in phone.voters
    assert phone.state() == fresh_state(client_for(canvasser_a))
    # The phone that held the turf once hears about it too; another team's phone does not.
    other = pull_pages(client_for(canvasser_a2), other_cursor)
    assert [r for p in other for r in p["removed_voters"]] == [
        {"voter": voter.pk, "household": door.pk}
    ]
    foreign = pull_pages(client_for(canvasser_b), foreign_cursor.cursor)
    assert all(p["removed_voters"] == [] for p in foreign)


def test_a_reimport_that_moves_a_voter_out_of_the_turf_removes_them_from_the_phone(
    client_for, canvasser_a, team_a, tmp_path
):
    path = tmp_path / "voters.csv"
    path.write_bytes(
        csv_bytes(
            "IA1,Ana,Diaz,DEM,1980,,1 Oak St,,Ames,IA,50010,42.02,-93.62",
            "IA2,Ben,Diaz,DEM,1982,,1 Oak St,,Ames,IA,50010,42.02,-93.62",
        ).getvalue()
    )
    call_command("import_voters", str(path), stdout=StringIO())
    old_door = Household.objects.get()
    turf = make_turf(team_a, [old_door], name="Oak")
    assign(turf, canvasser_a)
    phone = Phone(client_for(canvasser_a))
    phone.sync()
    assert len(phone.voters) == 2

    path.write_bytes(
        csv_bytes(
            "IA1,Ana,Diaz,DEM,1980,,9 Elm St,,Ames,IA,50010,42.03,-93.61",
            "IA2,Ben,Diaz,DEM,1982,,1 Oak St,,Ames,IA,50010,42.02,-93.62",
        ).getvalue()
    )
    call_command("import_voters", str(path), stdout=StringIO())
    moved = Voter.objects.get(state_voter_id="IA1")
    assert moved.household_id != old_door.pk
    phone.sync()

    assert [v["first_name"] for v in phone.voters.values()] == ["Ben"]
    assert phone.state() == fresh_state(client_for(canvasser_a))


def test_a_voter_deleted_from_the_file_and_a_door_taken_out_of_turf_are_removed(
    client_for, canvasser_a, canvasser_b, turf_a, turf_b
):
    first, second = doors(turf_a)[:2]
    gone = make_voter(first)
    stays = make_voter(first)
    make_voter(second)
    phone = Phone(client_for(canvasser_a))
    phone.sync()
    other_team = Phone(client_for(canvasser_b))
    other_team.sync()

    Voter.objects.filter(pk=gone.pk).delete()
    TurfHousehold.objects.filter(turf=turf_a, household=second).delete()  # a re-cut
    phone.sync()

    assert gone.pk not in phone.voters and stays.pk in phone.voters
    assert second.pk not in phone.households
    assert phone.state() == fresh_state(client_for(canvasser_a))
    assert other_team.sync() == 0


def test_a_deleted_log_is_removed_from_the_phone(client_for, canvasser_a, turf_a):
    door = doors(turf_a)[0]
    client = client_for(canvasser_a)
    pushed = client.post("/api/sync/push", batch(log_item(door)), format="json").json()
    log_id = pushed["results"][0]["log"]["id"]
    phone = Phone(client)
    phone.sync()
    assert log_id in phone.logs

    ConversationLog.objects.filter(pk=log_id).delete()
    pages = pull_pages(client, phone.cursor)
    phone.sync()

    assert pages[0]["removed_logs"] == [{"log": log_id, "turf": turf_a.pk}]
    assert phone.logs == {}


def test_a_new_turf_script_reaches_the_phone(client_for, lead_a, canvasser_a, turf_a):
    from canvass.models import Script

    phone = Phone(client_for(canvasser_a))
    phone.sync()
    script = Script.objects.create(name="Second round")
    response = client_for(lead_a).put(
        f"/api/turfs/{turf_a.pk}/script", {"script": script.pk}, format="json"
    )
    assert response.status_code == 200, response.json()

    phone.sync()

    assert phone.turfs[turf_a.pk]["script"] == script.pk
    assert set(phone.scripts) == {script.pk}
    assert phone.state() == fresh_state(client_for(canvasser_a))


def test_reimporting_an_unchanged_voter_file_restamps_nothing(
    client_for, canvasser_a, team_a, tmp_path
):
    path = tmp_path / "voters.csv"
    path.write_bytes(
        csv_bytes(
            "IA1,Ana,Diaz,DEM,1980,5155550100,1 Oak St,,Ames,IA,50010,42.02,-93.62",
            "IA2,Ben,Diaz,DEM,1982,,2 Oak St,,Ames,IA,50010,42.021,-93.62",
        ).getvalue()
    )
    call_command("import_voters", str(path), stdout=StringIO())
    turf = make_turf(team_a, list(Household.objects.all()), name="Oak")
    assign(turf, canvasser_a)
    phone = Phone(client_for(canvasser_a))
    phone.sync()
    stamps = dict(Voter.objects.values_list("id", "change_stamp"))

    out = StringIO()
    call_command("import_voters", str(path), stdout=out)

    assert "unchanged 2" in out.getvalue()
    assert dict(Voter.objects.values_list("id", "change_stamp")) == stamps
    assert phone.sync() == 0


@pytest.mark.postgres
def test_an_idle_transaction_in_another_database_causes_no_resend(client_for, canvasser_a, turf_a):
    import psycopg

    settings_dict = connection.settings_dict
    client = client_for(canvasser_a)
    phone = Phone(client)
    phone.sync()
    idle = psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
    )
    try:
        idle.execute("SELECT pg_current_xact_id()")  # holds an id: the server-wide xmin stays
        Household.objects.filter(pk=doors(turf_a)[0].pk).update(street="1 RENAMED ST")
        assert phone.sync() == 1  # the change itself
        resent = [phone.sync() for _ in range(3)]
    finally:
        idle.rollback()
        idle.close()

    assert resent == [0, 0, 0]
    assert phone.state() == fresh_state(client)
