"""The log scanner in tests/conftest.py runs after every test; these tests prove it bites."""

from __future__ import annotations

import logging

import pytest

from tests.logscan import CollectingHandler, find_personal_data, personal_values_in_database

logger = logging.getLogger("tests.leaky")


def test_scanner_flags_a_phone_number():
    assert find_personal_data(["sent to +15155550123"], set())
    assert find_personal_data(["call (515) 555-0123 now"], set())
    assert not find_personal_data(["signup 12345 confirmed"], set())


@pytest.mark.django_db
def test_scanner_flags_a_personal_value_from_the_database(canvasser_a):
    canvasser_a.first_name = "Guadalupe"
    canvasser_a.save()

    values = personal_values_in_database()

    assert "Guadalupe" in values
    assert find_personal_data(["user Guadalupe logged in"], values)


@pytest.mark.allow_personal_data_in_logs
@pytest.mark.django_db
def test_scanner_sees_what_the_app_logs(canvasser_a):
    handler = CollectingHandler()
    logging.getLogger().addHandler(handler)
    try:
        logger.warning("voter %s called from %s", canvasser_a.first_name, "+15155550123")
    finally:
        logging.getLogger().removeHandler(handler)

    assert find_personal_data(handler.lines, personal_values_in_database())


def test_failed_login_logs_no_username_or_password(api_client, canvasser_a, caplog):
    caplog.set_level(logging.INFO)

    api_client.post("/api/auth/login", {"username": "canvasser_a", "password": "Secret-Guess-1"})

    assert "Secret-Guess-1" not in caplog.text
