"""One value the database would refuse is a 400 naming the field, never a 500 and never a whole
batch lost; a time without a UTC offset is refused, not read as UTC."""

from __future__ import annotations

import pytest

from canvass.models import ConversationLog
from tests.canvass.conftest import batch, doors, log_item

pytestmark = pytest.mark.django_db


def test_a_contacted_at_offset_postgresql_refuses_rejects_only_that_log(
    client_for, canvasser_a, turf_a
):
    good, bad, naive = doors(turf_a)[:3]
    response = client_for(canvasser_a).post(
        "/api/sync/push",
        batch(
            log_item(good),
            log_item(bad, contacted_at="2026-01-10T14:05:00-20:00"),
            log_item(naive, contacted_at="2026-01-10T14:05:00"),
        ),
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"created": 1, "duplicate": 0, "rejected": 2}
    assert body["results"][1]["errors"] == {
        "contacted_at": ["The UTC offset must be between -15:59 and +15:59."]
    }
    assert "contacted_at" in body["results"][2]["errors"]
    assert list(ConversationLog.objects.values_list("household_id", flat=True)) == [good.pk]
