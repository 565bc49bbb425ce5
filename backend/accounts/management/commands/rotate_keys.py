from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from backend.crypto import encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column with the newest key in FIELD_ENCRYPTION_KEYS. "
        "Put the new key first in the list, run this, then drop the old key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        for model, names in encrypted_fields():
            total = 0
            # Reading decrypts with any key; writing encrypts with the newest.
            queryset = model._default_manager.order_by("pk").only("pk", *names)
            last_pk = None
            while True:
                page = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
                rows = list(page[:batch_size])
                if not rows:
                    break
                with transaction.atomic():
                    model._default_manager.bulk_update(rows, names)
                total += len(rows)
                last_pk = rows[-1].pk
            self.stdout.write(
                f"{model._meta.label}: re-encrypted {total} rows ({', '.join(names)})"
            )
        self.stdout.write(self.style.SUCCESS("Key rotation done."))
