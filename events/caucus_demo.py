"""Demo caucuses: a precinct caucus night about two months out, its sites matched from the
bundled Polk polling-place file (the demo precincts among them), and a Spanish-language
satellite caucus. Needs no ../shared/data."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import OutputWrapper
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.demo import demo_data_file, register
from events.models import (
    Caucus,
    CaucusKind,
    Location,
    SatelliteKind,
)
from events.services.caucuses import caucus_create, caucus_site_create, caucus_sites_import

DEMO_CAUCUS = "Demo: Iowa precinct caucuses"
DEMO_SATELLITE = "Demo: Spanish-language satellite caucus"
DEMO_NIGHT_EVENT = "Demo: caucus night at the site"
DEMO_TEAM = "Polk County Team"


@register(order=40, name="caucuses")
def load_caucuses(stdout: OutputWrapper) -> None:
    organizer = User.objects.filter(role=Role.ORGANIZER).order_by("id").first()
    zone = ZoneInfo(settings.TIME_ZONE)
    day = timezone.now().astimezone(zone).date() + timedelta(days=60)
    caucus = Caucus.objects.filter(name=DEMO_CAUCUS).first()
    if caucus is None and organizer is not None:
        caucus = caucus_create(
            actor=organizer,
            name=DEMO_CAUCUS,
            party="Democratic",
            kind=CaucusKind.PRECINCT,
            date=day,
            start_time=time(19, 0),
            time_zone=settings.TIME_ZONE,
        )
    if caucus is None:
        stdout.write("  caucuses: no organizer yet, skipped")
        return
    csv_path = demo_data_file("iowa_polling_places_2020.csv")
    with csv_path.open("rb") as stream:
        outcome = caucus_sites_import(actor=organizer, caucus=caucus, stream=stream)
    summary = outcome.report.summary()
    stdout.write(
        f"  caucus {caucus.date}: {summary['matched']} rows matched, {summary['ambiguous']} "
        f"ambiguous, {summary['unmatched']} unmatched; {outcome.linked} precincts linked now"
    )
    satellite = Caucus.objects.filter(name=DEMO_SATELLITE).first()
    valley = Location.objects.filter(source_key="DEMO|VALLEYJCT").first()
    if satellite is None and organizer is not None and valley is not None:
        satellite = caucus_create(
            actor=organizer,
            name=DEMO_SATELLITE,
            party="Democratic",
            kind=CaucusKind.SATELLITE,
            date=caucus.date,
            start_time=time(18, 0),
            time_zone=settings.TIME_ZONE,
        )
        caucus_site_create(
            actor=organizer,
            caucus=satellite,
            location=valley,
            satellite_kind=SatelliteKind.LANGUAGE,
            eligibility_notes="Demo: for caucus-goers who prefer to caucus in Spanish.",
        )
