"""Public signup throttles: a Retry-After on every 429, and exactly the limit under concurrency."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from events.models import Signup
from tests.events.helpers import signup_body
from tests.test_throttles import assert_retry_after

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rates", "vary_phone"),
    [({"signup": "2/hour", "signup_phone": "100/hour"}, True), ({"signup_phone": "2/hour"}, False)],
    ids=["per-ip", "per-phone"],
)
def test_the_signup_throttles_say_when_to_retry(
    api_client, make_shift, monkeypatch, rates, vary_phone
):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates}
    )
    # Separate shifts: one number may sign up for each once.
    shifts = [make_shift(starts_at=timezone.now() + timedelta(days=d)) for d in (3, 5, 7)]
    start = timezone.now().replace(minute=59, second=0, microsecond=0)

    with time_machine.travel(start, tick=False):  # a minute before the hourly window turns
        answers = [
            api_client.post(
                f"/api/public/shifts/{shifts[n].pk}/signups",
                signup_body(n if vary_phone else 1),
                format="json",
                REMOTE_ADDR="198.51.100.9" if vary_phone else f"198.51.100.{n + 10}",
            )
            for n in range(3)
        ]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert assert_retry_after(answers[2]) == 60
    assert Signup.objects.count() == 2
