"""With Redis down, requests keep working: the throttle cache degrades to "no cache"."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import override_settings

DEAD_REDIS = {
    "default": {
        "BACKEND": "backend.api.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.mark.django_db
def test_api_answers_while_the_cache_is_unreachable(client_for, canvasser_a):
    client = client_for(canvasser_a)
    with override_settings(CACHES=DEAD_REDIS):  # Django swaps the cache handlers for this block
        assert caches["default"].__class__.__name__ == "ResilientRedisCache"
        response = client.get("/api/me")  # the user throttle reads and writes the cache

    assert response.status_code == 200


def test_reads_miss_and_writes_are_dropped_when_redis_is_down():
    from backend.api.cache import ResilientRedisCache

    cache = ResilientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )

    cache.set("k", 1)
    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", 1) is False
    assert cache.get_many(["k"]) == {}
    assert cache.incr_with_expiry("k", 60) == 0  # the throttle counter: let the request in


@pytest.mark.django_db
def test_public_signups_still_land_while_the_cache_is_unreachable(api_client, team_a):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event, EventKind, Location, Shift, ShiftRole, Signup

    location = Location.objects.create(
        name="Site", address="1 MAIN ST", city="DES MOINES", county="Polk", zip_code="50309"
    )
    starts = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        title="Caucus night",
        kind=EventKind.CAUCUS_NIGHT,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        location=location,
        team=team_a,
        is_public=True,
    )
    shift = Shift.objects.create(
        event=event,
        role=ShiftRole.CANVASSER,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=5,
    )
    body = {"name": "Volunteer 1", "phone": "(515) 555-0101", "sms_consent": True}

    with override_settings(CACHES=DEAD_REDIS):  # both signup throttles count in the cache
        response = api_client.post(f"/api/public/shifts/{shift.pk}/signups", body, format="json")

    assert response.status_code == 201
    assert Signup.objects.filter(shift=shift).count() == 1
