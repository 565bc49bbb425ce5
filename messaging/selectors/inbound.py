"""Reads of the texts people sent us."""

from __future__ import annotations

from django.db.models import QuerySet

from messaging.models import InboundSms


def inbound_messages(
    *, volunteer: int | None = None, action: str | None = None
) -> QuerySet[InboundSms]:
    """Inbound texts, newest first (organizers only; the view checks the role)."""
    inbound = InboundSms.objects.select_related("volunteer")
    if volunteer is not None:
        inbound = inbound.filter(volunteer_id=volunteer)
    if action:
        inbound = inbound.filter(action=action)
    return inbound.order_by("-received_at", "-id")
