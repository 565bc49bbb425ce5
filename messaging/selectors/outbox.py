"""Reads of the SMS outbox, scoped to who asks."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from backend.accounts.models import Role, User
from events.models import Event
from events.selectors.schedule import events_for_user
from messaging.models import SmsMessage, SmsStatus


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
