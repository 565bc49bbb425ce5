"""manage.py geocode_pending [--limit N]"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from canvass.services.geocoding import households_geocode_pending, households_waiting_for_geocoding


class Command(BaseCommand):
    help = (
        "Geocode the doors whose geocoding is pending or failed (same cache, rate limit and "
        "circuit breaker as the import); a progress bar on a terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="At most this many doors")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = max(options["limit"], 1)
        total = min(households_waiting_for_geocoding(), limit)
        stream = getattr(self.stdout, "_out", sys.stdout)
        if stream.isatty():
            from tqdm import tqdm

            with tqdm(total=total, unit="door", file=sys.stderr) as bar:
                report = households_geocode_pending(limit=limit, progress=bar.update)
        else:
            report = households_geocode_pending(limit=limit)
        self.stdout.write(", ".join(f"{key} {value}" for key, value in report.as_dict().items()))
        if report.paused:
            self.stdout.write("The geocoder is failing; the rest stays pending for the next run.")
