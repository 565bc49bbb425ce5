"""Writes on the platform: organizers create and edit planks (audited).

A plank's `code` never changes once created: scripts, reports, endorsements and leaders'
positions key on it. Editing a plank re-stamps the scripts that ask about it and the leaders
with a position on it, so phones pull the new titles and summaries next time.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.errors import ConflictError
from canvass.models import Leader, Plank, Script

PLANK_FIELDS = ("position", "title_en", "title_es", "summary_en", "summary_es", "active")


def plank_create(
    *,
    actor: User,
    code: str,
    title_en: str,
    title_es: str,
    summary_en: str,
    summary_es: str,
    position: int | None = None,
    active: bool = True,
) -> Plank:
    """A new plank; without `position` it goes last. A code in use is a 409 naming `code`."""
    taken = ConflictError(
        "A plank with this code exists.", fields={"code": ["A plank with this code exists."]}
    )
    if Plank.objects.filter(code=code).exists():
        raise taken
    with transaction.atomic():
        if position is None:
            position = (Plank.objects.aggregate(last=Max("position"))["last"] or 0) + 1
        try:
            with transaction.atomic():
                plank = Plank.objects.create(
                    code=code,
                    position=position,
                    title_en=title_en,
                    title_es=title_es,
                    summary_en=summary_en,
                    summary_es=summary_es,
                    active=active,
                )
        except IntegrityError:
            raise taken from None  # created by someone else a moment ago
        audit_record(actor=actor, action="plank.create", target=plank, details={"code": code})
    return plank


def plank_update(*, actor: User, plank: Plank, **fields: Any) -> Plank:
    """Change a plank's position, titles, summaries or `active`; the audit row lists the
    changed fields with their old and new values (public text, no personal data)."""
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in PLANK_FIELDS:
            raise TypeError(f"unknown plank field: {name}")
        if getattr(plank, name) != value:
            changes[name] = {"old": getattr(plank, name), "new": value}
            setattr(plank, name, value)
    if not changes:
        return plank
    with transaction.atomic():
        plank.save(update_fields=[*changes, "updated_at"])
        now = timezone.now()
        # Phones hold the plank inside scripts and leaders' positions: re-stamp those rows.
        Script.objects.filter(questions__plank=plank).update(updated_at=now)
        Leader.objects.filter(positions__plank=plank).update(
            revision=F("revision") + 1, updated_at=now
        )
        audit_record(
            actor=actor,
            action="plank.update",
            target=plank,
            details={"code": plank.code, "changes": changes},
        )
    return plank
