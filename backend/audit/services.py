"""Recording sensitive actions in the append-only audit trail."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from backend.audit.models import AuditEvent


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `action` is a dotted verb such as "auth.login" or "turf.assign".

    Pass ids and counts in `details`; never names, phone numbers, addresses or note texts.
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_username=getattr(user, "username", "") if user else "",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        ip_address=ip_address,
        details=details or {},
    )
