"""Demo data for messaging: the know-your-rights texts (seeded by a migration; listed here)."""

from __future__ import annotations

from django.core.management.base import OutputWrapper

from backend.demo import register
from messaging.models import KnowYourRightsText


@register(order=70, name="know-your-rights texts")
def load_kyr_texts(stdout: OutputWrapper) -> None:
    languages = list(KnowYourRightsText.objects.values_list("language", flat=True))
    stdout.write(f"  know-your-rights texts: {', '.join(languages) or 'none'}")
