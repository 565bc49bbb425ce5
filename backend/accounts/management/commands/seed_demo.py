from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules

from backend import demo
from backend.accounts import demo as accounts_demo


class Command(BaseCommand):
    help = (
        "Load demo data idempotently: demo people (passwords are printed once, when created), "
        "real Iowa precincts, sites and generated households, turf and events."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give the demo users new passwords and print them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts_demo.RESET_PASSWORDS["value"] = options["reset_passwords"]
        autodiscover_modules("demo")
        for loader in demo.loaders():
            self.stdout.write(f"Demo {loader.name}:")
            loader.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
