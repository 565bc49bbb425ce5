from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.errors import ApplicationError
from events.models import Caucus
from events.services.caucuses import caucus_sites_import, match_polling_places


class Command(BaseCommand):
    help = (
        "Match the polling-place CSV's rows to the precincts in the database (load them first "
        "with import_precincts) and write the match report (every row: matched, ambiguous with "
        "its candidates, or unmatched) as JSON. With --caucus, also import the file's sites and "
        "link every matched precinct to its site for that caucus (a precinct that already has "
        "a site keeps it). Prints the counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--report", type=Path, default=Path("caucus-match-report.json"), help="JSON to write."
        )
        parser.add_argument("--caucus", type=int, help="Link the matched precincts for it.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            if options["caucus"] is not None:
                caucus = Caucus.objects.filter(pk=options["caucus"]).first()
                if caucus is None:
                    raise CommandError(f"No such caucus: {options['caucus']}")
                with path.open("rb") as stream:
                    outcome = caucus_sites_import(actor=None, caucus=caucus, stream=stream)
                report = outcome.report.as_dict()
                report["summary"].update(linked=outcome.linked, kept=outcome.kept)
            else:
                report = match_polling_places(text=path.read_text(encoding="utf-8-sig")).as_dict()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        options["report"].write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        summary = ", ".join(f"{key}={value}" for key, value in report["summary"].items())
        self.stdout.write(self.style.SUCCESS(f"Matched polling places: {summary}"))
        self.stdout.write(f"Report written to {options['report']}")
