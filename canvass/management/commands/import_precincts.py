"""manage.py import_precincts FILE.geojson [--county Polk --county Story]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from canvass.geometry import GeometryError
from canvass.services.precincts import precincts_import


class Command(BaseCommand):
    help = "Load or update precinct boundaries (GeoJSON FeatureCollection with COUNTY and NAME)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--county", action="append", dest="counties", help="Only this county (repeatable)"
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = precincts_import(path=options["file"], counties=options["counties"])
        except GeometryError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        self.stdout.write(
            f"{report.features} features: {report.created} created, {report.updated} updated, "
            f"{report.repaired} repaired, {report.skipped} skipped"
        )
        for problem in report.problems:
            what = problem.get("error") or f"repaired ({problem.get('repaired')})"
            self.stdout.write(
                f"  feature {problem['feature']} {problem['county']} / {problem['name']}: {what}"
            )
