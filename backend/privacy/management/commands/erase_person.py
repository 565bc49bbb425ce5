from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.errors import ApplicationError
from backend.privacy import registry
from backend.privacy.services import person_erase


class Command(BaseCommand):
    help = "Erase a voter or volunteer everywhere on their request (recorded in the audit trail)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="voter, volunteer or endorser")
        parser.add_argument("id", type=int, help="the person's id")

    def handle(self, *args: Any, kind: str, id: int, **options: Any) -> None:
        if kind not in registry.erasable_kinds():
            raise CommandError(f"kind must be one of: {', '.join(registry.erasable_kinds())}")
        try:
            counts = person_erase(actor=None, kind=kind, subject_id=id)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        for key, value in sorted(counts.items()):
            self.stdout.write(f"  {key}: {value}")
        self.stdout.write(self.style.SUCCESS(f"Erased {kind} {id}."))
