"""Reads of the SMS outbox, inbound texts and opt-outs, scoped to who asks."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from backend.accounts.models import Role, User
from events.models import (
    Event,
    InboundSms,
    ReviewStatus,
    SmsMessage,
    SmsOptOut,
    SmsReview,
    SmsStatus,
    Volunteer,
)
from events.selectors import events_for_user


def sms_messages_for_user(
    *,
    user: User,
    volunteer: int | None = None,
    event: int | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> QuerySet[SmsMessage]:
    """Outgoing texts: organizers see all; field leads those about their teams' events."""
    messages = SmsMessage.objects.select_related("volunteer")
    if user.role != Role.ORGANIZER:
        messages = messages.filter(event__in=events_for_user(user=user))
    if volunteer is not None:
        messages = messages.filter(volunteer_id=volunteer)
    if event is not None:
        messages = messages.filter(event_id=event)
    if kind:
        messages = messages.filter(kind=kind)
    if status:
        messages = messages.filter(status=status)
    return messages.order_by("-created_at", "-id")


def inbound_messages(*, volunteer: int | None = None, action: str | None = None) -> QuerySet:
    """Inbound texts, newest first (organizers only; the view checks the role)."""
    inbound = InboundSms.objects.select_related("volunteer")
    if volunteer is not None:
        inbound = inbound.filter(volunteer_id=volunteer)
    if action:
        inbound = inbound.filter(action=action)
    return inbound.order_by("-received_at", "-id")


def opt_outs() -> QuerySet[SmsOptOut]:
    return SmsOptOut.objects.order_by("-opted_out_at", "-id")


def volunteers_by_hash(hashes: list[str]) -> dict[str, Volunteer]:
    return {v.phone_hash: v for v in Volunteer.objects.filter(phone_hash__in=hashes)}


def sms_stats_for_event(*, event: Event) -> dict[str, object]:
    """Counts per status and per kind of the texts about one event."""
    messages = SmsMessage.objects.filter(event=event)
    by_status = dict(
        messages.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    by_kind = list(
        messages.values("kind")
        .annotate(
            total=Count("id"),
            delivered=Count("id", filter=Q(status=SmsStatus.DELIVERED)),
            failed=Count("id", filter=Q(status__in=(SmsStatus.FAILED, SmsStatus.UNDELIVERED))),
        )
        .order_by("kind")
    )
    return {
        "event_id": event.pk,
        "total": sum(by_status.values()),
        "by_status": {status: by_status.get(status, 0) for status in SmsStatus.values},
        "by_kind": by_kind,
    }


def sms_reviews(*, status: str = ReviewStatus.PENDING) -> QuerySet[SmsReview]:
    """Replies that might mean "stop", oldest first (organizers only: they hold the text)."""
    return (
        SmsReview.objects.filter(status=status)
        .select_related("inbound__volunteer")
        .order_by("created_at", "id")
    )


def sms_review(*, review_id: int) -> SmsReview | None:
    return SmsReview.objects.select_related("inbound__volunteer").filter(pk=review_id).first()
