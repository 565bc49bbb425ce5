from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from backend.accounts.models import Role, Team, User

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_cast_and_prints_passwords_once():
    first = seed()

    assert User.objects.filter(role=Role.ORGANIZER).count() == 1
    assert User.objects.filter(role=Role.FIELD_LEAD).count() == 1
    assert User.objects.filter(role=Role.CANVASSER).count() == 2
    assert first.count("password: ") == 4
    team = Team.objects.get()
    assert team.members.count() == 3


def test_seed_demo_twice_changes_nothing_and_prints_no_password():
    seed()
    counts = (User.objects.count(), Team.objects.count())

    second = seed()

    assert (User.objects.count(), Team.objects.count()) == counts
    assert "password: " not in second
    assert "exists" in second


def test_printed_password_logs_in(api_client):
    out = seed()
    line = next(line for line in out.splitlines() if "canvasser1" in line)
    password = line.split("password: ")[1].strip()

    response = api_client.post("/api/auth/login", {"username": "canvasser1", "password": password})

    assert response.status_code == 200


def test_seed_demo_works_without_the_shared_data(settings, tmp_path):
    settings.SHARED_DATA_DIR = tmp_path  # a clone without ../shared/data beside it

    out = seed()

    assert "not found" in out
    assert User.objects.filter(role=Role.CANVASSER).count() == 2
