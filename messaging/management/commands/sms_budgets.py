"""Print every text's worst case (encoding and segments with its longest values) as a Markdown
table, and the languages that fall back to English; exit 1 when a text is over its budget."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

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


class Command(BaseCommand):
    help = "Every SMS text's worst-case encoding and segments against its budget."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--language",
            action="append",
            dest="languages",
            help="only these languages (repeatable; default: every configured language)",
        )

    def handle(self, *args: object, **options: object) -> None:
        languages = options.get("languages") or None
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
