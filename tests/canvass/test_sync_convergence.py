"""Convergence: after every server-side change, a phone that pulls incrementally holds exactly what
a fresh full download holds.

Hypothesis draws sequences of changes (pushes by two canvassers, corrections and deletions,
flag clearing, turf assign / unassign / complete, script changes, voter re-imports that move,
add and remove voters, erasures, doors taken out of and put into turf) interleaved with
transactions held open on another connection that commit (or roll back) out of order, some of
them between two pages of a pull, and leaders of the turfs' precincts published, unpublished,
moved to another county and given new positions. After every step each simulated phone pulls (one in small
pages) and is compared with a first download made now.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

import psycopg
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.accounts.models import Membership, Role, Team, User
from backend.privacy.services import person_erase
from canvass.models import (
    ConversationLog,
    Household,
    Leader,
    Precinct,
    Script,
    Turf,
    TurfHousehold,
    Voter,
)
from canvass.services import leaders as leader_services
from canvass.services import scripts as script_services
from canvass.services import turf as turf_services
from tests.canvass.conftest import log_item, make_household, make_turf, make_voter
from tests.canvass.phone import Phone, fresh_state, pull_pages

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TURFS, DOORS_PER_TURF, SPARE_DOORS = 3, 3, 3
DOORS = TURFS * DOORS_PER_TURF + SPARE_DOORS
RESULTS = ["contacted", "not_home", "moved", "deceased", "refused"]
index = st.integers(min_value=0, max_value=50)

STEP = st.one_of(
    st.tuples(st.just("push"), index, index, st.sampled_from(RESULTS), st.booleans()),
    st.tuples(st.just("correct"), index, st.booleans()),
    st.tuples(st.just("delete_log"), index),
    st.tuples(st.just("purge_log"), index),
    st.tuples(st.just("clear_flags"), index),
    st.tuples(st.just("assign"), index, index),
    st.tuples(st.just("unassign"), index, index),
    st.tuples(st.just("complete"), index),
    st.tuples(st.just("script"), index, st.sampled_from(["new", "none", "other"])),
    st.tuples(st.just("new_default_script")),
    st.tuples(st.just("move_voter"), index, index),
    st.tuples(st.just("new_voter"), index),
    st.tuples(st.just("delete_voter"), index),
    st.tuples(st.just("erase"), index),
    st.tuples(st.just("rename_voter"), index),
    st.tuples(st.just("remove_stop"), index),
    st.tuples(st.just("add_stop"), index, index),
    st.tuples(st.just("rename_door"), index),
    st.tuples(st.just("open_tx"), index),
    st.tuples(st.just("commit_tx"), index, st.booleans()),
    st.tuples(st.just("commit_between_pages"), index),
    st.tuples(
        st.just("leader"), index, st.sampled_from(["stance", "publish", "unpublish", "move"])
    ),
)
STANCES = ["pledged", "partly", "declined", "no_answer"]


def _precinct(county: str, name: str) -> Precinct:
    return Precinct.objects.create(
        county=county,
        county_key=county.upper(),
        name=name,
        name_key=name.upper(),
        boundary={"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [0, 0]]]},
        min_lat=0,
        max_lat=1,
        min_lon=0,
        max_lon=1,
    )


_names = itertools.count()


class World:
    """One team's turf, doors, voters and people, fresh for each example."""

    def __init__(self, client_for: Any, organizer: User) -> None:
        n = next(_names)
        self.organizer = organizer
        self.team = Team.objects.create(name=f"Convergence {n}")
        self.lead = self._user(f"lead{n}", Role.FIELD_LEAD)
        self.canvassers = [self._user(f"canvasser{n}_{i}", Role.CANVASSER) for i in range(2)]
        self.doors = [make_household(41.6 + i * 0.0005, -93.6) for i in range(DOORS)]
        self.turfs = [
            make_turf(
                self.team,
                self.doors[t * DOORS_PER_TURF : (t + 1) * DOORS_PER_TURF],
                name=f"T{n}.{t}",
            )
            for t in range(TURFS)
        ]
        for door in self.doors:
            make_voter(door)
        # The scorecard: turfs 0 and 1 lie in a Polk precinct, turf 2 in a Story one.
        polk, story = _precinct("Polk", f"P{n}.0"), _precinct("Story", f"P{n}.1")
        Turf.objects.filter(pk__in=[t.pk for t in self.turfs[:2]]).update(precinct=polk)
        Turf.objects.filter(pk=self.turfs[2].pk).update(precinct=story)
        source = {"source_url": "https://example.org/s", "source_date": date(2026, 1, 5)}
        self.leaders = [
            leader_services.leader_create(
                actor=organizer,
                name=name,
                office="Office",
                published=True,
                positions=[{"plank": "end-detention", "stance": "pledged", **source}],
                **place,
            )
            for name, place in (
                ("State", {"jurisdiction": "state"}),
                ("Polk", {"jurisdiction": "county", "county": "Polk"}),
                ("Story precinct", {"jurisdiction": "precinct", "precinct": story.pk}),
            )
        ]
        turf_services.turf_assign(actor=self.lead, turf=self.turfs[0], canvasser=self.canvassers[0])
        turf_services.turf_assign(actor=self.lead, turf=self.turfs[1], canvasser=self.canvassers[1])
        self.clients = [client_for(c) for c in self.canvassers]
        self.lead_client = client_for(self.lead)
        self.phones = [Phone(client) for client in self.clients]
        self.open: list[psycopg.Connection[Any]] = []

    def _user(self, username: str, role: str) -> User:
        user = User.objects.create_user(username=username, password="x-Pass-2026!", role=role)
        Membership.objects.create(team=self.team, user=user)
        return user

    def voters(self) -> list[Voter]:
        return list(Voter.objects.filter(household__in=self.doors).order_by("id"))

    def logs(self) -> list[ConversationLog]:
        return list(ConversationLog.objects.filter(turf__in=self.turfs).order_by("id"))

    def connect(self) -> psycopg.Connection[Any]:
        s = connection.settings_dict
        return psycopg.connect(
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
            user=s["USER"],
            password=s["PASSWORD"] or None,
            dbname=s["NAME"],
        )

    def close(self) -> None:
        for held in self.open:
            held.rollback()
            held.close()
        self.open = []

    def commit_one(self, which: int, commit: bool = True) -> None:
        if self.open:
            held = self.open.pop(which % len(self.open))
            held.commit() if commit else held.rollback()
            held.close()

    def apply(self, step: tuple[Any, ...]) -> None:
        kind, *args = step
        doors, turfs = self.doors, self.turfs
        if kind == "push":
            who, door, result, do_not_knock = args
            item = log_item(doors[door % DOORS], result=result, do_not_knock=do_not_knock)
            if result != "contacted":
                item["support_level"] = None
            body = {
                "device_id": "phone",
                "batch_id": str(uuid.uuid4()),
                "logs": [item],
            }
            response = self.clients[who % 2].post("/api/sync/push", body, format="json")
            assert response.status_code == 200, response.content
        elif kind in ("correct", "delete_log", "purge_log"):
            logs = self.logs()
            if not logs:
                return
            log = logs[args[0] % len(logs)]
            client = self.clients[self.canvassers.index(log.canvasser)]
            if kind == "correct":
                change = {"follow_up_needed": args[1], "do_not_knock": args[1]}
                response = client.patch(f"/api/logs/{log.pk}", change, format="json")
                assert response.status_code in (200, 409), response.content
            elif kind == "delete_log":
                response = client.delete(f"/api/logs/{log.pk}")
                assert response.status_code in (204, 409), response.content
            else:
                log.delete()  # e.g. an organizer's clean-up in the admin
        elif kind == "clear_flags":
            door = doors[args[0] % DOORS]
            response = self.lead_client.post(
                f"/api/households/{door.pk}/flags/clear",
                {"flags": ["do_not_knock", "moved", "deceased"]},
                format="json",
            )
            assert response.status_code in (200, 403, 404), response.content
        elif kind == "assign":
            turf, who = turfs[args[0] % TURFS], self.canvassers[args[1] % 2]
            if not turf.assignments.filter(canvasser=who, unassigned_at__isnull=True).exists():
                turf = Turf.objects.get(pk=turf.pk)
                if turf.status != "completed":
                    turf_services.turf_assign(actor=self.lead, turf=turf, canvasser=who)
        elif kind == "unassign":
            turf, who = turfs[args[0] % TURFS], self.canvassers[args[1] % 2]
            if turf.assignments.filter(canvasser=who, unassigned_at__isnull=True).exists():
                turf_services.turf_unassign(actor=self.lead, turf=turf, canvasser_id=who.pk)
        elif kind == "complete":
            turf = Turf.objects.get(pk=turfs[args[0] % TURFS].pk)
            if turf.status != "completed":
                turf_services.turf_status_set(actor=self.lead, turf=turf, status="completed")
        elif kind == "script":
            turf = Turf.objects.get(pk=turfs[args[0] % TURFS].pk)
            choice = args[1]
            script = None
            if choice == "new":
                script = Script.objects.create(name=f"Script {next(_names)}")
            elif choice == "other":
                script = Script.objects.order_by("-id").first()
            script_services.turf_script_set(actor=self.lead, turf=turf, script=script)
        elif kind == "new_default_script":
            Script.objects.create(name=f"Default {next(_names)}", is_default=True)
        elif kind in ("move_voter", "delete_voter", "erase", "rename_voter"):
            voters = self.voters()
            if not voters:
                return
            voter = voters[args[0] % len(voters)]
            if kind == "move_voter":  # a re-import with a new address
                Voter.objects.filter(pk=voter.pk).update(household=doors[args[1] % DOORS])
            elif kind == "delete_voter":  # gone from the voter file
                Voter.objects.filter(pk=voter.pk).delete()
            elif kind == "erase":
                person_erase(actor=self.organizer, kind="voter", subject_id=voter.pk)
            else:
                Voter.objects.filter(pk=voter.pk).update(first_name=f"Name{next(_names)}")
        elif kind == "new_voter":
            make_voter(doors[args[0] % DOORS])
        elif kind == "remove_stop":  # a re-cut takes the door out of its turf
            TurfHousehold.objects.filter(household=doors[args[0] % DOORS], active=True).delete()
        elif kind == "add_stop":
            door, turf = doors[args[0] % DOORS], turfs[args[1] % TURFS]
            if not TurfHousehold.objects.filter(household=door, active=True).exists():
                TurfHousehold.objects.filter(household=door, turf=turf).delete()
                TurfHousehold.objects.create(household=door, turf=turf, position=99)
        elif kind == "rename_door":
            Household.objects.filter(pk=doors[args[0] % DOORS].pk).update(
                street=f"{next(_names)} RENAMED ST"
            )
        elif kind == "open_tx":
            # Another connection writes and stays open; it commits later, out of order.
            if len(self.open) < 3:
                held = self.connect()
                held.execute(
                    "INSERT INTO canvass_voter (state_voter_id, first_name, middle_name, "
                    "last_name, party, phone, phone_hash, language, household_id, created_at) "
                    "VALUES (%s, 'Late', '', 'Writer', '', '', '', '', %s, now())",
                    [f"L{uuid.uuid4().hex[:12]}", doors[args[0] % DOORS].pk],
                )
                self.open.append(held)
        elif kind == "leader":
            leader = Leader.objects.get(pk=self.leaders[args[0] % len(self.leaders)].pk)
            change = args[1]
            if change == "stance":
                leader_services.leader_position_set(
                    actor=self.organizer,
                    leader=leader,
                    plank="end-detention",
                    stance=STANCES[(STANCES.index(leader.positions.get().stance) + 1) % 4],
                    source_url=f"https://example.org/{next(_names)}",
                    source_date=date(2026, 1, 6),
                )
            elif change in ("publish", "unpublish"):
                leader_services.leader_update(
                    actor=self.organizer, leader=leader, published=change == "publish"
                )
            elif leader.jurisdiction == "county":
                other = "Story" if leader.county == "Polk" else "Polk"
                leader_services.leader_update(actor=self.organizer, leader=leader, county=other)
        elif kind == "commit_tx":
            self.commit_one(args[0], commit=args[1])
        elif kind == "commit_between_pages":
            # A slow transaction commits while the phone is half-way through a pull.
            phone = self.phones[args[0] % 2]
            pages = iter(_pages_with_a_commit(phone, self))
            for page in pages:
                phone.apply(page)
                phone.cursor = page["cursor"]


def _pages_with_a_commit(phone: Phone, world: World) -> list[dict[str, Any]]:
    first = phone.client.get(
        "/api/sync/pull", {"cursor": phone.cursor, "limit": 2} if phone.cursor else {"limit": 2}
    ).json()
    world.commit_one(0)
    if not first["has_more"]:
        return [first]
    return [first, *pull_pages(phone.client, first["cursor"], limit=2)]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(steps=st.lists(STEP, min_size=1, max_size=24))
def test_an_incremental_phone_always_equals_a_fresh_download(client_for, organizer, steps):
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")  # a held-open writer never hangs the test
    world = World(client_for, organizer)
    try:
        for phone in world.phones:
            phone.sync()
        for number, step in enumerate(steps):
            world.apply(step)
            for i, phone in enumerate(world.phones):
                # One phone pages in threes, the other takes whole pages.
                phone.sync(limit=3 if i == 0 else None)
                expected = fresh_state(phone.client)
                assert phone.state() == expected, f"phone {i} after step {number}: {step}"
    finally:
        world.close()
