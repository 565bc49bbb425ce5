"""Every console page, listed: anonymous visitors go to the login page, canvassers get a 403, and a
field lead asking for another team's object gets a 404 (tests/console/test_console_access.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Every console route and the method it answers; a new route fails the first test until listed.
ROUTES = {
    "console/": "GET",
    "console/login": "GET",
    "console/logout": "POST",
    "console/imports": "GET",
    "console/imports/<int:pk>": "GET",
    "console/imports/<int:pk>/status": "GET",
    "console/map": "GET",
    "console/turfs": "GET",
    "console/turfs/table": "GET",
    "console/turfs/draw": "POST",
    "console/turfs/auto-cut": "POST",
    "console/turfs/<int:pk>": "GET",
    "console/turfs/<int:pk>/progress": "GET",
    "console/turfs/<int:pk>/assign": "POST",
    "console/turfs/<int:pk>/unassign/<int:canvasser_id>": "POST",
    "console/review": "GET",
    "console/review/<int:pk>": "POST",
    "console/readiness": "GET",
    "console/incidents": "GET",
    "console/incidents/<int:pk>": "GET",
    "console/incidents/<int:pk>/lift": "POST",
    "console/endorsements": "GET",
    "console/endorsements/<int:pk>": "GET",
    "console/endorsements/<int:pk>/hide": "POST",
    "console/endorsements/<int:pk>/restore": "POST",
    "console/events": "GET",
    "console/events/<int:pk>": "GET",
    "console/events/<int:pk>/cancel": "POST",
    "console/signups/<int:pk>/attendance": "POST",
    "console/texts": "GET",
    "console/texts/reviews/<int:pk>/resolve": "POST",
}
OPEN = {"console/login", "console/logout"}


def console_patterns() -> list[str]:
    found: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            else:
                found.append(route)

    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "console":
            walk(entry.url_patterns, str(entry.pattern))
    return found


def path_of(pattern: str) -> str:
    return "/" + re.sub(r"<int:\w+>", "1", pattern)


def test_every_console_route_is_listed():
    assert sorted(console_patterns()) == sorted(ROUTES)


@pytest.mark.parametrize("pattern", sorted(set(ROUTES) - OPEN))
def test_anonymous_visitors_are_sent_to_the_login_page(client, pattern):
    response = getattr(client, ROUTES[pattern].lower())(path_of(pattern))

    assert response.status_code == 302
    assert response["Location"].startswith("/console/login?next=")


@pytest.mark.parametrize("pattern", sorted(set(ROUTES) - OPEN))
def test_canvassers_get_a_403(canvasser_a, pattern):
    client = Client()
    client.force_login(canvasser_a)

    response = getattr(client, ROUTES[pattern].lower())(path_of(pattern))

    assert response.status_code == 403
