"""manage.py import_voters FILE.csv [--json] [--team ID] | --resume JOB_ID"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.accounts.models import Team
from canvass.errors import ImportFileError
from canvass.models import ImportJob, ImportKind, ImportState
from canvass.services.import_jobs import import_job_create, import_job_run


class Command(BaseCommand):
    help = (
        "Import a voter-file CSV (UTF-8, with or without BOM) as an import job, here and now, "
        "with a progress bar on a terminal (plain progress lines otherwise); prints the report. "
        "--resume JOB_ID continues a job whose run was interrupted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON")
        parser.add_argument("--team", type=int, help="The team the job belongs to")
        parser.add_argument("--resume", type=int, metavar="JOB_ID", help="Resume this job")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["resume"]:
            job = ImportJob.objects.filter(pk=options["resume"], kind=ImportKind.VOTERS).first()
            if job is None:
                raise CommandError(f"No voter import job {options['resume']}.")
        else:
            path: Path | None = options["file"]
            if path is None:
                raise CommandError("Give a FILE to import, or --resume JOB_ID.")
            if not path.is_file():
                raise CommandError(f"Cannot read {path}: no such file")
            team = Team.objects.filter(pk=options["team"]).first() if options["team"] else None
            if options["team"] and team is None:
                raise CommandError(f"No team {options['team']}.")
            try:
                job = import_job_create(
                    actor=None,
                    kind=ImportKind.VOTERS,
                    upload=None,  # type: ignore[arg-type]
                    path=path.resolve(),
                    source_name=path.name,
                    team=team,
                    enqueue=False,
                )
            except ImportFileError as exc:
                raise CommandError(exc.message) from None
        job = self._run(job)
        if options["json"]:
            self.stdout.write(
                json.dumps({"job": job.pk, "state": job.state, **job.counts}, indent=2)
            )
            return
        counts = job.counts
        self.stdout.write(
            f"job {job.pk} {job.state}: rows read {job.rows_read}: created "
            f"{counts.get('created', 0)}, updated {counts.get('updated', 0)}, unchanged "
            f"{counts.get('unchanged', 0)}, skipped {job.rows_skipped}; households created "
            f"{counts.get('households_created', 0)}, updated {counts.get('households_updated', 0)}"
        )
        self.stdout.write(
            "geocoding: "
            + ", ".join(f"{k} {v}" for k, v in (counts.get("geocoding") or {}).items())
        )
        if counts.get("geocoder_note"):
            self.stdout.write(counts["geocoder_note"])
        for problem in job.problems.order_by("line", "id")[:1000]:
            suffix = " (warning)" if problem.level == "warning" else ""
            self.stdout.write(f"  line {problem.line}{suffix}: {problem.reason}")
        if job.state == ImportState.FAILED:
            raise CommandError(f"Import failed: {job.error}")

    def _run(self, job: ImportJob) -> ImportJob:
        stream = getattr(self.stdout, "_out", sys.stdout)
        if stream.isatty():
            from tqdm import tqdm

            bar = tqdm(
                total=job.total_bytes,
                initial=job.resume_offset,
                unit="B",
                unit_scale=True,
                desc=f"import {job.pk}",
                file=sys.stderr,
            )

            def on_batch(current: ImportJob) -> None:
                bar.update(current.resume_offset - bar.n)
                bar.set_postfix(rows=current.rows_read, stored=current.rows_stored)

            try:
                return import_job_run(job_id=job.pk, progress=on_batch)
            finally:
                bar.close()

        def on_batch_plain(current: ImportJob) -> None:
            share = current.resume_offset / current.total_bytes if current.total_bytes else 1
            self.stdout.write(
                f"progress {share:.0%}: rows read {current.rows_read}, stored "
                f"{current.rows_stored}, skipped {current.rows_skipped}"
            )

        return import_job_run(job_id=job.pk, progress=on_batch_plain)
