"""Send due texts without a broker: once, or in a loop (what `make run` starts)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from messaging.services.dispatch import sms_dispatch_due


class Command(BaseCommand):
    help = "Send due SMS from the outbox (once, or every --interval seconds with --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between runs")
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = sms_dispatch_due(batch_size=options["batch_size"], max_batches=1000)
            if report.claimed or report.skipped or report.reconciled or not options["loop"]:
                self.stdout.write(f"dispatch_sms: {report.as_dict()}")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
