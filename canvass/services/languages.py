"""Writes for voters' languages: turning what older files or settings left into configured codes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backend.audit.services import audit_record
from backend.languages import field_languages, language_from_text
from canvass.models import Voter


def voter_languages_normalize() -> dict[str, tuple[str, int]]:
    """Rewrite every voter language that is not a configured code: to the code it names
    ("Spanish" -> "es"), else to empty (unknown). Returns value -> (new code, voters)."""
    configured = set(field_languages())
    changed: dict[str, tuple[str, int]] = {}
    with transaction.atomic():
        values = Voter.objects.exclude(language="").values_list("language", flat=True).distinct()
        for value in [v for v in values if v not in configured]:
            code = language_from_text(value) or ""
            count = Voter.objects.filter(language=value).update(
                language=code, updated_at=timezone.now()
            )
            changed[value] = (code, count)
        if changed:
            audit_record(
                actor=None,
                action="voter.languages_normalized",
                target_type="canvass.voter",
                details={"changed": {value: list(pair) for value, pair in changed.items()}},
            )
    return changed
