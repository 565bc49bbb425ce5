"""Reads of the replies held for an organizer's review."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from messaging.models import ReviewStatus, SmsReview


def held_numbers(hashes: Iterable[str]) -> set[str]:
    """The numbers among `hashes` with a reply waiting for an organizer's review."""
    return set(
        SmsReview.objects.filter(
            phone_hash__in=set(hashes), status=ReviewStatus.PENDING
        ).values_list("phone_hash", flat=True)
    )


def sms_reviews(*, status: str | None = ReviewStatus.PENDING) -> QuerySet[SmsReview]:
    """Replies that might mean "stop" (of one status, or all with None), oldest first
    (organizers only: they hold the text)."""
    reviews = SmsReview.objects.select_related("inbound__volunteer")
    if status is not None:
        reviews = reviews.filter(status=status)
    return reviews.order_by("created_at", "id")
