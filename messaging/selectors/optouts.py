"""Reads of the opt-out list."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from events.models import Volunteer
from messaging.models import SmsOptOut


def opt_outs() -> QuerySet[SmsOptOut]:
    """Numbers that must not be texted, newest first (organizers only; the view checks)."""
    return SmsOptOut.objects.order_by("-opted_out_at", "-id")


def opted_out_numbers(hashes: Iterable[str]) -> set[str]:
    """The numbers among `hashes` on the opt-out list."""
    return set(
        SmsOptOut.objects.filter(phone_hash__in=set(hashes)).values_list("phone_hash", flat=True)
    )


def is_opted_out(phone_hash: str) -> bool:
    return SmsOptOut.objects.filter(phone_hash=phone_hash).exists()


def volunteers_by_hash(hashes: list[str]) -> dict[str, Volunteer]:
    return {v.phone_hash: v for v in Volunteer.objects.filter(phone_hash__in=hashes)}
