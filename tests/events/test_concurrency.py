"""Capacity holds when many people sign up at the same moment (real PostgreSQL connections)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from backend.errors import ConflictError
from events.models import Signup, SignupStatus
from events.services.signups import signup_create
from tests.events.helpers import phone

CAPACITY = 5


def run_at_once(count: int, work) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_times_capacity_simultaneous_signups_confirm_exactly_capacity(make_shift):
    shift = make_shift(capacity=CAPACITY)

    results = run_at_once(
        3 * CAPACITY,
        lambda i: (
            signup_create(
                shift_id=shift.pk, name=f"V{i}", phone=phone(i), sms_consent=True
            ).signup.pk
        ),
    )

    assert all(isinstance(result, int) for result in results), results
    signups = list(Signup.objects.filter(shift=shift).order_by("position"))
    assert [s.position for s in signups] == list(range(1, 3 * CAPACITY + 1))
    # Arrival order is lock order: the first CAPACITY to get the lock are confirmed, and the
    # waitlist follows the same order (by position and by creation time).
    assert [s.status for s in signups] == [SignupStatus.CONFIRMED] * CAPACITY + [
        SignupStatus.WAITLISTED
    ] * (2 * CAPACITY)
    assert [s.created_at for s in signups] == sorted(s.created_at for s in signups)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_person_signing_up_for_overlapping_shifts_at_once_gets_only_one(make_event, make_shift):
    start = timezone.now() + timedelta(days=2)
    shifts = [
        make_shift(event=make_event(starts_at=start), starts_at=start, capacity=10)
        for _ in range(6)
    ]

    def attempt(i: int) -> str:
        try:
            signup_create(shift_id=shifts[i].pk, name="Ana", phone=phone(1), sms_consent=True)
            return "ok"
        except ConflictError as exc:
            return exc.code

    results = run_at_once(len(shifts), attempt)

    assert sorted(results) == ["ok"] + ["shift_overlap"] * 5
    assert Signup.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_cancellations_promote_each_waitlisted_person_once(make_shift):
    shift = make_shift(capacity=3)
    ids = [
        signup_create(shift_id=shift.pk, name=f"V{i}", phone=phone(i), sms_consent=True).signup.pk
        for i in range(6)
    ]
    from events.services.signups import signup_cancel

    results = run_at_once(3, lambda i: signup_cancel(signup_id=ids[i]).status)

    assert results == ["cancelled"] * 3
    assert (
        list(Signup.objects.order_by("position").values_list("status", flat=True))
        == ["cancelled"] * 3 + ["confirmed"] * 3
    )
