"""Demo data for sensitive events: a know-your-rights training in a (fictional) home, whose
address the public never sees (docs/safety.md)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import OutputWrapper
from django.db import transaction

from backend.accounts.models import Team
from events.demo import DEMO_TEAM, _local
from events.models import Event, EventKind, Location, Shift, ShiftRole

SENSITIVE_TITLE = "Know-your-rights training (sensitive: address texted to vetted volunteers)"


def load_sensitive_event(stdout: OutputWrapper) -> None:
    with transaction.atomic():
        team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
        home, _ = Location.objects.get_or_create(
            source_key="DEMO|SENSITIVE-HOME",
            defaults={
                "name": "Demo: a volunteer's home (fictional)",
                "address": "1 DEMO HOME LN",
                "city": "DES MOINES",
                "county": "Polk",
                "zip_code": "50316",
                "latitude": 41.6005,
                "longitude": -93.5800,
                "accessibility_notes": "DEMO SITE: fictional address for the sensitive-event demo.",
            },
        )
        if Event.objects.filter(title=SENSITIVE_TITLE, team=team).exists():
            stdout.write("  sensitive event: already there")
            return
        starts = _local(9, 18)
        event = Event.objects.create(
            title=SENSITIVE_TITLE,
            kind=EventKind.TRAINING,
            description="Demo event. The public sees the city and time only.",
            location=home,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            team=team,
            is_sensitive=True,
        )
        Shift.objects.create(
            event=event,
            role=ShiftRole.OTHER,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=8,
        )
        stdout.write("  sensitive event: 1 created (its signups are held until vetted)")
