"""Finds personal data in log output: phone numbers, and every value of a registered personal
field currently in the database (names, phones, addresses, notes)."""

from __future__ import annotations

import logging
import re

from django.apps import apps

from backend.privacy.registry import personal_fields

PHONE = re.compile(r"\+1\d{10}\b|\b\d{3}[-. ]\d{3}[-. ]\d{4}\b|\(\d{3}\)\s?\d{3}-\d{4}")
MIN_VALUE_LENGTH = 4  # shorter values ("Al", "IA") would match by chance


class CollectingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def personal_values_in_database() -> set[str]:
    values: set[str] = set()
    for label, fields in personal_fields().items():
        model = apps.get_model(label)
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if isinstance(value, str) and len(value.strip()) >= MIN_VALUE_LENGTH:
                    values.add(value.strip())
    return values


def find_personal_data(lines: list[str], values: set[str]) -> list[str]:
    leaks = []
    for line in lines:
        if PHONE.search(line):
            leaks.append(f"phone number in log: {line[:200]}")
            continue
        for value in values:
            if value in line:
                leaks.append(f"personal value {value!r} in log: {line[:200]}")
                break
    return leaks
