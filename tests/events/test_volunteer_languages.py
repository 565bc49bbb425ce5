"""Volunteers carry any configured language, not only English and Spanish."""

from __future__ import annotations

import pytest

from events.models import Volunteer
from tests.events.helpers import signup_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["vi", "ar", "sw", "fr"])
def test_a_volunteer_signs_up_in_any_configured_language(api_client, make_shift, language):
    shift = make_shift()

    response = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(1, language=language), format="json"
    )

    assert response.status_code == 201, response.json()
    assert Volunteer.objects.get().language == language


def test_a_language_that_is_not_configured_is_a_400_naming_the_field(api_client, make_shift):
    shift = make_shift()

    response = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(1, language="xx"), format="json"
    )

    assert response.status_code == 400
    assert "language" in response.json()["error"]["fields"]
    assert not Volunteer.objects.exists()
