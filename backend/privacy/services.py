"""Erasure on request and purging past retention, recorded in the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.audit.services import audit_record
from backend.errors import ApplicationError, ErrorCode, NotFoundError
from backend.privacy import registry


class PersonNotFoundError(NotFoundError):
    code = ErrorCode.PERSON_NOT_FOUND


def person_erase(
    *, actor: object | None, kind: str, subject_id: int, ip_address: str | None = None
) -> registry.Counts:
    """Remove a voter or volunteer everywhere, keeping only anonymous aggregates and what the
    opt-out list needs (a keyed hash of the number). Raises PersonNotFoundError if nothing matched.
    """
    functions = registry.erasers(kind)
    if not functions:
        raise ApplicationError(
            f"Unknown kind of person {kind!r}.",
            code=ErrorCode.INVALID,
            fields={"kind": [f"Must be one of: {', '.join(registry.erasable_kinds())}."]},
        )
    counts: registry.Counts = {}
    with transaction.atomic():
        for erase in functions:
            for key, value in erase(subject_id, actor=actor).items():
                counts[key] = counts.get(key, 0) + value
        if not any(counts.values()):
            raise PersonNotFoundError(f"No {kind} with id {subject_id}.")
        audit_record(
            actor=actor,
            action="privacy.erased",
            target_type=kind,
            target_id=subject_id,
            ip_address=ip_address,
            details={"counts": counts},
        )
    return counts


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.RETENTION_DAYS)


def retention_purge(*, now: datetime | None = None) -> dict[str, registry.Counts]:
    """Clear notes, free-text replies and device locations older than RETENTION_DAYS.

    Rows stay (so counts and reports still add up); only the personal content goes.
    """
    cutoff = retention_cutoff(now)
    results: dict[str, registry.Counts] = {}
    with transaction.atomic():
        for name, purge in sorted(registry.purgers().items()):
            results[name] = purge(cutoff)
        audit_record(
            actor=None,
            action="privacy.retention_purge",
            details={"cutoff": cutoff.isoformat(), "results": results},
        )
    return results
