from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backend.db import partitions


class Command(BaseCommand):
    help = (
        "Create the monthly partitions of conversation logs and SMS messages for this month and "
        "the next ones (PostgreSQL; nothing to do on SQLite)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--months-ahead",
            type=int,
            default=partitions.MONTHS_AHEAD,
            help=f"Months after this one to create (default {partitions.MONTHS_AHEAD}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        months_ahead = options["months_ahead"]
        if months_ahead < 0:
            self.stderr.write("--months-ahead: must be 0 or more.")
            raise SystemExit(2)
        for table, created in partitions.partitions_ensure_all(months_ahead=months_ahead).items():
            if not partitions.is_partitioned(table):
                self.stdout.write(f"  {table}: not partitioned (plain table)")
                continue
            months = len(partitions.partitions_of(table))
            self.stdout.write(
                f"  {table}: created {', '.join(created) or 'nothing'} ({months} months)"
            )
        self.stdout.write(self.style.SUCCESS("Partitions ensured."))
