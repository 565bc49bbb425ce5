"""Reads of the platform: the planks each role sees, and the public list."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import Role, User
from canvass.models import Plank


def planks_for_user(*, user: User) -> QuerySet[Plank]:
    """Organizers: every plank (inactive ones too); everyone else: the active ones."""
    planks = Plank.objects.order_by("position", "id")
    if user.role != Role.ORGANIZER:
        planks = planks.filter(active=True)
    return planks


def planks_public() -> QuerySet[Plank]:
    """The active planks, in order, for anyone."""
    return Plank.objects.filter(active=True).order_by("position", "id")


def plank_by_code(*, code: str) -> Plank | None:
    return Plank.objects.filter(code=code).first()


def active_planks() -> list[Plank]:
    return list(planks_public())


def plank_brief(plank: Plank) -> dict[str, str]:
    """What a phone shows of a plank (inside a plank question or a leader's position)."""
    return {
        "code": plank.code,
        "title_en": plank.title_en,
        "title_es": plank.title_es,
        "summary_en": plank.summary_en,
        "summary_es": plank.summary_es,
    }
