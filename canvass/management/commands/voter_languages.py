"""manage.py voter_languages [--normalize]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backend.languages import LANGUAGE_NAMES, field_languages
from canvass.selectors.languages import voter_language_counts
from canvass.services.languages import voter_languages_normalize


class Command(BaseCommand):
    help = (
        "Count voters by preferred language; values that are not a configured language code "
        "(FIELD_LANGUAGES) are marked, and --normalize rewrites them to the code they name or "
        "to empty (unknown)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--normalize",
            action="store_true",
            help="Rewrite values that are not configured codes before counting",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["normalize"]:
            changed = voter_languages_normalize()
            for value, (code, count) in changed.items():
                self.stdout.write(f"normalized {value!r} -> {code or 'unknown'!r}: {count}")
            self.stdout.write(f"normalized values: {len(changed)}")
        configured = set(field_languages())
        for value, count in voter_language_counts().items():
            if not value:
                label = "unknown"
            elif value in configured:
                label = f"{value} ({LANGUAGE_NAMES.get(value, value)})"
            else:
                label = f"{value!r} (not a configured language)"
            self.stdout.write(f"{label}: {count}")
