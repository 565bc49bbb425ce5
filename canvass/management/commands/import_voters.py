"""manage.py import_voters FILE.csv [--json]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from canvass.services.imports import ImportFileError, voters_import


class Command(BaseCommand):
    help = "Import a voter-file CSV (UTF-8, with or without BOM); prints the import report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="Print the full report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open("rb") as stream:
                report = voters_import(actor=None, stream=stream, source_name=path.name)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        except ImportFileError as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        self.stdout.write(
            f"rows read {report.rows_read}: created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, skipped {report.skipped}; households created "
            f"{report.households_created}, updated {report.households_updated}"
        )
        self.stdout.write(
            "geocoding: " + ", ".join(f"{k} {v}" for k, v in report.geocoding.items())
        )
        for problem in report.errors:
            self.stdout.write(f"  line {problem['line']}: {problem['reason']}")
        for problem in report.warnings:
            self.stdout.write(f"  line {problem['line']} (warning): {problem['reason']}")
        if report.problems_not_listed:
            self.stdout.write(f"  ... and {report.problems_not_listed} more")
        if report.aborted:
            raise CommandError(f"Import stopped: {report.aborted}")
