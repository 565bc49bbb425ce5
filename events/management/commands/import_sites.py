from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.errors import ApplicationError
from events.services.locations import sites_import


class Command(BaseCommand):
    help = (
        "Import caucus sites from a CSV (columns county_name, precinct_id, name, address; "
        "optional latitude, longitude), idempotently, printing a report line per row. Rows at "
        "the same address become one site serving several precincts. A progress bar on a "
        "terminal (sites placed so far)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-geocode", action="store_true", help="Do not geocode unplaced sites."
        )
        parser.add_argument(
            "--summary-only", action="store_true", help="Print only the totals, not every row."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        # Binary: lines with bad bytes are reported by line, the rest import.
        bar: Any = None
        if getattr(self.stdout, "_out", sys.stdout).isatty():
            from tqdm import tqdm

            bar = tqdm(unit="site", desc="sites", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        with path.open("rb") as stream:
            try:
                report = sites_import(
                    stream=stream,
                    geocode=not options["no_geocode"],
                    progress=progress if bar is not None else None,
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            finally:
                if bar is not None:
                    bar.close()
        if not options["summary_only"]:
            for row in report.rows:
                location = f"location {row.location_id}" if row.location_id else "-"
                note = f": {row.message}" if row.message else ""
                self.stdout.write(f"row {row.row}: {row.status} {location}{note}")
        summary = ", ".join(f"{key}={value}" for key, value in report.summary().items())
        self.stdout.write(self.style.SUCCESS(f"Imported sites: {summary}"))
