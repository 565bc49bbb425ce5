"""Print every text's worst case (encoding and segments with its longest values) as a Markdown
table, and the languages that fall back to English; exit 1 when a text is over its budget."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings

from messaging import catalog
from messaging.budgets import WorstCase, worst_case_table


def budget_table(rows: list[WorstCase]) -> str:
    """The Markdown table of the README: a row per text, a column pair per language."""
    languages = list(dict.fromkeys(row.language for row in rows))
    by_name: dict[str, dict[str, WorstCase]] = {}
    for row in rows:
        by_name.setdefault(row.name, {})[row.language] = row
    head = ["text", "budget", *(f"{language}" for language in languages)]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    for name, cells in by_name.items():
        budget = next(iter(cells.values())).budget
        shown = [
            f"{cell.encoding}, {cell.segments}" + ("" if cell.sent_in == cell.language else " (en)")
            for cell in (cells[language] for language in languages)
        ]
        lines.append("| " + " | ".join([f"`{name}`", str(budget), *shown]) + " |")
    return "\n".join(lines)


# The README's table is computed with these values, whatever this deployment's are.
README_SETTINGS = {
    "SMS_ORGANIZATION_NAME": "DontLookAway Iowa",
    "PUBLIC_BASE_URL": "https://field.dontlookaway-iowa.example.org",
}
README_TABLE = re.compile(r"(<!-- sms-budgets:start -->\n).*?(\n<!-- sms-budgets:end -->)", re.S)


def readme_update(table: str) -> None:
    """Write `table` between the README's sms-budgets markers."""
    readme = Path(settings.BASE_DIR) / "README.md"
    text = readme.read_text(encoding="utf-8")
    readme.write_text(
        README_TABLE.sub(lambda m: m.group(1) + table + m.group(2), text), encoding="utf-8"
    )


class Command(BaseCommand):
    help = "Every SMS text's worst-case encoding and segments against its budget."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--language",
            action="append",
            dest="languages",
            help="only these languages (repeatable; default: every configured language)",
        )
        parser.add_argument(
            "--update-readme",
            action="store_true",
            help="write the English and Spanish table into README.md (between its markers)",
        )

    def handle(self, *args: object, **options: object) -> None:
        languages = options.get("languages") or None
        if options.get("update_readme"):
            with override_settings(**README_SETTINGS):
                readme_update(budget_table(worst_case_table(["en", "es"])))
        rows = worst_case_table(languages)  # type: ignore[arg-type]
        self.stdout.write(budget_table(rows))
        for coverage in catalog.fallback_report():
            if coverage.missing:
                self.stdout.write(
                    f"{coverage.language}: {coverage.translated} of {coverage.total} strings "
                    f"translated; {len(coverage.missing)} go out in English"
                )
        over = [row for row in rows if row.over_budget]
        if over:
            raise CommandError(
                "over budget: "
                + ", ".join(f"{r.name} ({r.language}: {r.segments} > {r.budget})" for r in over)
            )
