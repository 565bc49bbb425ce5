"""Builders for the events tests: sites, events, shifts and phone numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from events import domain_events
from events.models import Event, EventKind, Location, Shift, ShiftRole


@pytest.fixture
def make_location(db: None) -> Callable[..., Location]:
    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> Location:
        n = next(counter)
        defaults: dict[str, Any] = {
            "name": f"Site {n}",
            "address": f"{n} MAIN ST",
            "city": "DES MOINES",
            "county": "Polk",
            "zip_code": "50309",
            "latitude": 41.5868,
            "longitude": -93.6250,
        }
        defaults.update(fields)
        return Location.objects.create(**defaults)

    return make


@pytest.fixture
def make_event(team_a: Any, make_location: Callable[..., Location]) -> Callable[..., Event]:
    def make(**fields: Any) -> Event:
        starts = fields.pop("starts_at", timezone.now() + timedelta(days=3))
        defaults: dict[str, Any] = {
            "title": "Caucus night",
            "kind": EventKind.CAUCUS_NIGHT,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=4),
            "team": team_a,
            "is_public": True,
        }
        defaults.update(fields)
        if "location" not in defaults:
            defaults["location"] = make_location()
        return Event.objects.create(**defaults)

    return make


@pytest.fixture
def make_shift(make_event: Callable[..., Event]) -> Callable[..., Shift]:
    def make(event: Event | None = None, **fields: Any) -> Shift:
        event = event or make_event()
        starts: datetime = fields.pop("starts_at", event.starts_at)
        defaults: dict[str, Any] = {
            "role": ShiftRole.CANVASSER,
            "starts_at": starts,
            "ends_at": fields.pop("ends_at", starts + timedelta(hours=2)),
            "capacity": 2,
        }
        defaults.update(fields)
        return Shift.objects.create(event=event, **defaults)

    return make


@pytest.fixture
def recorded_events() -> Any:
    """Every domain event emitted during the test, as (name, signup id or None)."""
    seen: list[tuple[str, int | None]] = []

    def receiver(event: domain_events.DomainEvent) -> None:
        seen.append((event.name, event.signup.pk if event.signup else None))

    domain_events.subscribe(receiver)
    yield seen
    domain_events.unsubscribe(receiver)
