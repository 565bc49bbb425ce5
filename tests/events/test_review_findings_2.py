"""Defects found by trying the served app from outside (review "rv2"), each pinned by HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Signup
from tests.events.helpers import signup_body

pytestmark = pytest.mark.django_db


def test_public_overlap_refusal_does_not_tell_a_stranger_where_the_number_will_be(
    api_client, make_event, make_shift
):
    """Anyone may type a known number into the public form. For a shift overlapping one the
    number already has, the 409 named the other event, its shift id, role and times: where and
    when that person will be, unlocked by merely knowing their number (issue 11, point 1's
    pattern). The public answer keeps the code but names nothing of the other signup."""
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    rally = make_event(title="Rally at the church", starts_at=start)
    other = make_event(title="Phone bank", starts_at=start + timedelta(hours=1))
    first = make_shift(event=rally, starts_at=start, ends_at=start + timedelta(hours=2))
    second = make_shift(event=other, starts_at=start + timedelta(hours=1))
    owner = api_client.post(f"/api/public/shifts/{first.pk}/signups", signup_body(1), format="json")
    assert owner.status_code == 201

    stranger = api_client.post(
        f"/api/public/shifts/{second.pk}/signups",
        signup_body(1, name="Someone else"),
        format="json",
    )

    assert stranger.status_code == 409
    error = stranger.json()["error"]
    assert error["code"] == "shift_overlap"
    assert "other_shift" not in error
    text = stranger.content.decode()
    assert "Rally" not in text and str(first.pk) not in error["message"]
    assert first.starts_at.isoformat() not in text
    assert Signup.objects.filter(shift=second).count() == 0
