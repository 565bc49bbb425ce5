from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backend.privacy.services import retention_purge


class Command(BaseCommand):
    help = "Clear notes, free-text replies and device locations older than RETENTION_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, counts in retention_purge().items():
            summary = (
                ", ".join(f"{key}={value}" for key, value in sorted(counts.items())) or "nothing"
            )
            self.stdout.write(f"  {name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Retention purge done."))
