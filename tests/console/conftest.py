"""Helpers for the field console's tests: a logged-in browser session and a small precinct."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from backend.accounts.models import User
from canvass.models import Precinct
from tests.console.browser import browser, page  # noqa: F401 (fixtures of the browser tests)
from tests.events.conftest import make_event, make_location, make_shift  # noqa: F401

PASSWORDS = {
    "organizer": "organizer-Pass-2026!",
    "lead_a": "lead_a-Pass-2026!",
    "lead_b": "lead_b-Pass-2026!",
    "canvasser_a": "canvasser_a-Pass-2026!",
}

# A made-up square precinct around downtown Des Moines (the canvass tests' door grid sits in it).
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-93.64, 41.575], [-93.60, 41.575], [-93.60, 41.60], [-93.64, 41.60], [-93.64, 41.575]]
    ],
}


def console_login(client: Client, user: User, ip: str = "10.9.0.1") -> Any:
    return client.post(
        "/console/login",
        {"username": user.username, "password": PASSWORDS[user.username]},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def precinct(db: None) -> Precinct:
    return Precinct.objects.create(
        county="Polk",
        county_key="POLK",
        name="Test Precinct 1",
        name_key="TEST PRECINCT 1",
        boundary=SQUARE,
        min_lat=41.575,
        max_lat=41.60,
        min_lon=-93.64,
        max_lon=-93.60,
    )


@pytest.fixture
def lead_a_client(lead_a: User) -> Client:
    client = Client()
    assert console_login(client, lead_a).status_code == 302
    return client
