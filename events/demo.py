"""Demo caucus sites and events: the real Iowa polling places, and a few upcoming events.

The real sites are imported without geocoding (no network in a demo), so they stay unplaced.
For the map and the nearby search to show something, a handful of extra demo sites are placed by
hand at well-known Des Moines landmarks. Their coordinates are approximate (within a few hundred
metres), and their names and notes say so; none is a city or state centre.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import OutputWrapper
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Team
from backend.demo import demo_data_file, register
from events.models import Event, EventKind, Location, Shift, ShiftRole
from events.services.locations import sites_import

DEMO_TEAM = "Polk County Team"
DEMO_NOTE = "DEMO SITE: hand-placed, approximate coordinates for the demo map; not a real venue."
DEMO_SITES = [
    # source_key, name, address, zip, lat, lon
    (
        "DEMO|CAPITOL",
        "Demo: Iowa State Capitol grounds",
        "1007 E GRAND AVE",
        "50319",
        41.5911,
        -93.6037,
    ),
    (
        "DEMO|DRAKE",
        "Demo: Drake University area",
        "2507 UNIVERSITY AVE",
        "50311",
        41.6030,
        -93.6530,
    ),
    ("DEMO|LIBRARY", "Demo: Central Library area", "1000 GRAND AVE", "50309", 41.5858, -93.6294),
    ("DEMO|VALLEYJCT", "Demo: Valley Junction", "137 5TH ST", "50265", 41.5720, -93.7113),
]
# title, kind, site key, days from today, local start hour, hours, shifts (role, offset h, hours, capacity)
DEMO_EVENTS = [
    (
        "Caucus night captain training",
        EventKind.TRAINING,
        "DEMO|LIBRARY",
        7,
        18,
        2,
        [(ShiftRole.PRECINCT_CAPTAIN, 0, 2, 20), (ShiftRole.GREETER, 0, 1, 2)],
    ),
    (
        "Weekend canvass launch — Drake",
        EventKind.CANVASS_LAUNCH,
        "DEMO|DRAKE",
        10,
        10,
        4,
        [
            (ShiftRole.CANVASSER, 0, 2, 12),
            (ShiftRole.CANVASSER, 2, 2, 12),
            (ShiftRole.DRIVER, 0, 4, 3),
        ],
    ),
    (
        "Spanish-language phone bank",
        EventKind.PHONE_BANK,
        "DEMO|VALLEYJCT",
        12,
        17,
        3,
        [(ShiftRole.PHONE_BANKER, 0, 3, 15)],
    ),
    (
        "#DontLookAway rally at the Capitol",
        EventKind.RALLY,
        "DEMO|CAPITOL",
        21,
        12,
        2,
        [(ShiftRole.GREETER, 0, 2, 10), (ShiftRole.OTHER, 0, 2, 5)],
    ),
]


def _local(day_offset: int, hour: int) -> datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    day = timezone.now().astimezone(zone).date() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour), tzinfo=zone)


@register(order=30, name="events")
def load_events(stdout: OutputWrapper) -> None:
    csv_path = demo_data_file("iowa_polling_places_2020.csv")
    with csv_path.open(encoding="utf-8-sig", newline="") as stream:
        report = sites_import(stream=stream, geocode=False)
    summary = report.summary()
    stdout.write(
        f"  Iowa polling places: {summary['locations_created']} new sites, "
        f"{summary['locations_unchanged'] + summary['locations_updated']} already there, "
        f"{summary['needs_review']} need review (unplaced); from {csv_path}"
    )
    with transaction.atomic():
        team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
        sites = {}
        for key, name, address, zip_code, lat, lon in DEMO_SITES:
            sites[key], _ = Location.objects.get_or_create(
                source_key=key,
                defaults={
                    "name": name,
                    "address": address,
                    "city": "DES MOINES" if zip_code != "50265" else "WEST DES MOINES",
                    "county": "Polk",
                    "zip_code": zip_code,
                    "latitude": lat,
                    "longitude": lon,
                    "accessibility_notes": DEMO_NOTE,
                },
            )
        created = 0
        for title, kind, site_key, days, hour, hours, shifts in DEMO_EVENTS:
            if Event.objects.filter(title=title, team=team).exists():
                continue
            starts = _local(days, hour)
            event = Event.objects.create(
                title=title,
                kind=kind,
                description="Demo event.",
                location=sites[site_key],
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                team=team,
            )
            for role, offset, length, capacity in shifts:
                Shift.objects.create(
                    event=event,
                    role=role,
                    starts_at=starts + timedelta(hours=offset),
                    ends_at=starts + timedelta(hours=offset + length),
                    capacity=capacity,
                )
            created += 1
        stdout.write(f"  events: {created} created, {len(DEMO_EVENTS) - created} already there")


import events.caucus_demo  # noqa: E402,F401  (registers the caucus demo loader)

# Sensitive events (docs/safety.md): their own module, run after the events above.
from events import demo_sensitive as _sensitive_demo  # noqa: E402 - it uses the names above

register(order=31, name="sensitive events")(_sensitive_demo.load_sensitive_event)
