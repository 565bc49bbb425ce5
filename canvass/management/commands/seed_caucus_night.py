"""`manage.py seed_caucus_night [--scale S]`: the Iowa-scale data set for the caucus-night load run.

At scale 1: 1,678 precincts, 2.2 million voters in 1.1 million households, 2,000 canvassers, each
with a turf of doors in one precinct, all in one team led by one field lead. Rows are generated
inside PostgreSQL (`INSERT … SELECT generate_series`), so the whole set takes minutes on 2 cores;
`--scale 0.001` gives a small set of the same shape for tests. Voters carry no phone numbers.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from backend.accounts.models import Membership, Role, Team, User
from backend.db.sql import tables_analyze
from canvass.models import (
    Household,
    Precinct,
    Turf,
    TurfAssignment,
    TurfHousehold,
    TurfStatus,
    Voter,
)

PRECINCTS = 1678
VOTERS = 2_200_000
VOTERS_PER_HOUSEHOLD = 2
CANVASSERS = 2000
TEAM_NAME = "Iowa Caucus Team"


class Command(BaseCommand):
    help = "Generate the Iowa-scale caucus-night data set (use --scale for smaller runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if not 0 < scale <= 1:
            raise CommandError("--scale must be above 0 and at most 1")
        if connection.vendor != "postgresql":
            raise CommandError("seed_caucus_night needs PostgreSQL")
        precincts = max(1, round(PRECINCTS * scale))
        voters = max(2, round(VOTERS * scale))
        households = max(1, voters // VOTERS_PER_HOUSEHOLD)
        canvassers = max(1, round(CANVASSERS * scale))
        started = time.monotonic()
        with transaction.atomic():
            team, _ = Team.objects.get_or_create(name=TEAM_NAME)
            lead, _ = User.objects.get_or_create(
                username="caucus-lead", defaults={"role": Role.FIELD_LEAD}
            )
            Membership.objects.get_or_create(team=team, user=lead)
            with connection.cursor() as cursor:
                # Bulk statements run for minutes at full scale: past DB_STATEMENT_TIMEOUT_MS.
                cursor.execute("SET LOCAL statement_timeout = 0")
                self._precincts(cursor, precincts)
                self._households(cursor, households, precincts)
                self._voters(cursor, voters, households)
            self._canvassers(team, lead, canvassers, households, precincts)
        tables_analyze(Precinct, Household, Voter, Turf, TurfHousehold)
        self.stdout.write(
            f"seeded {precincts} precincts, {households} households, {voters} voters, "
            f"{canvassers} canvassers with turf in {time.monotonic() - started:.1f} s"
        )

    def _precincts(self, cursor: Any, count: int) -> None:
        # A grid of small squares over Iowa (40.4..43.5 N, -96.6..-90.1 E), 41 per row.
        cursor.execute(
            """
            INSERT INTO canvass_precinct (county, county_key, name, name_key, district, boundary,
                min_lat, max_lat, min_lon, max_lon, geometry_repaired, invalid_reason,
                created_at, updated_at)
            SELECT 'County ' || (g %% 99), 'COUNTY' || (g %% 99), 'Precinct ' || g, 'PRECINCT' || g,
                '', json_build_object('type', 'Polygon', 'coordinates', json_build_array(
                    json_build_array(json_build_array(lon, lat), json_build_array(lon + 0.15, lat),
                    json_build_array(lon + 0.15, lat + 0.07), json_build_array(lon, lat + 0.07),
                    json_build_array(lon, lat)))),
                lat, lat + 0.07, lon, lon + 0.15, false, '', now(), now()
            FROM (SELECT g, 40.4 + (g / 41) * 0.075 AS lat, -96.6 + (g %% 41) * 0.155 AS lon
                  FROM generate_series(0, %s - 1) AS g) AS grid
            """,
            [count],
        )

    def _households(self, cursor: Any, count: int, precincts: int) -> None:
        cursor.execute("SELECT min(id) FROM canvass_precinct WHERE name LIKE 'Precinct %'")
        first = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO canvass_household (street, unit, city, state, zip_code, address_key, county,
                latitude, longitude, geocode_status, precinct_id, created_at, updated_at)
            SELECT (g %% 9000 + 1) || ' Caucus St', '', 'Des Moines', 'IA', '50309',
                'CAUCUS|' || g, 'County ' || (g %% 99), p.min_lat + random() * 0.07,
                p.min_lon + random() * 0.15, 'provided', p.id, now(), now()
            FROM generate_series(0, %s - 1) AS g
            JOIN canvass_precinct p ON p.id = %s + (g %% %s)
            """,
            [count, first, precincts],
        )

    def _voters(self, cursor: Any, count: int, households: int) -> None:
        cursor.execute("SELECT min(id) FROM canvass_household WHERE address_key LIKE 'CAUCUS|%'")
        first = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO canvass_voter (state_voter_id, first_name, middle_name, last_name, party,
                birth_year, phone, phone_hash, language, household_id, created_at, updated_at)
            SELECT 'IA' || g, 'Voter', '', 'Number ' || g, (ARRAY['DEM', 'REP', 'NP'])[g %% 3 + 1],
                1940 + g %% 65, '', '', '', %s + (g %% %s), now(), now()
            FROM generate_series(0, %s - 1) AS g
            """,
            [first, households, count],
        )

    def _canvassers(
        self, team: Team, lead: User, count: int, households: int, precincts: int
    ) -> None:
        users = User.objects.bulk_create(
            [User(username=f"caucus-canvasser-{i}", role=Role.CANVASSER) for i in range(count)]
        )
        Membership.objects.bulk_create([Membership(team=team, user=user) for user in users])
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id) FROM canvass_precinct WHERE name LIKE 'Precinct %'")
            first_precinct = cursor.fetchone()[0]
        turfs = Turf.objects.bulk_create(
            [
                Turf(
                    name=f"Caucus turf {i}",
                    team=team,
                    precinct_id=first_precinct + i % precincts,
                    status=TurfStatus.ASSIGNED,
                    created_by=lead,
                )
                for i in range(count)
            ]
        )
        now = timezone.now()
        TurfAssignment.objects.bulk_create(
            [
                TurfAssignment(turf=turf, canvasser=user, assigned_by=lead, assigned_at=now)
                for turf, user in zip(turfs, users, strict=True)
            ]
        )
        doors = min(300, max(1, households // count))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(id) FROM canvass_household WHERE address_key LIKE 'CAUCUS|%'"
            )
            first_household = cursor.fetchone()[0]
            cursor.execute(
                """
                INSERT INTO canvass_turfhousehold (turf_id, household_id, position, active)
                SELECT t.id, %s + (t.n * %s + d) %% %s, d, true
                FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                      FROM canvass_turf WHERE id = ANY(%s)) AS t,
                     generate_series(0, %s - 1) AS d
                """,
                [first_household, doors, households, [t.pk for t in turfs], doors],
            )
