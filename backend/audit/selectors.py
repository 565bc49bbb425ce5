"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import Role, User
from backend.audit.models import AuditEvent


def audit_events_for_user(*, user: User) -> QuerySet[AuditEvent]:
    """The whole trail for an organizer (the only role that may read it), nothing otherwise."""
    if user.role != Role.ORGANIZER:
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()
