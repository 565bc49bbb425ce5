"""Imports as background jobs: store the upload, run it in a Celery task, report progress.

A job is resumable: each batch commits together with the job's checkpoint (the byte offset
just past the batch) and its problem lines, so a job restarted after its worker died goes on
from the last commit and writes no row twice. Jobs of one team take turns (a PostgreSQL
advisory lock held for the whole run), so two imports never interleave their rows.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.db.locks import advisory_lock
from backend.db.sql import tables_analyze
from backend.errors import ApplicationError, ErrorCode
from canvass.errors import ImportFileError
from canvass.models import (
    Household,
    ImportJob,
    ImportJobProblem,
    ImportKind,
    ImportState,
    Voter,
    VoterImport,
)
from canvass.selectors.imports import import_job_team
from canvass.services.imports import (
    BATCH_SIZE,
    ImportReport,
    check_file_head,
    read_header,
    voter_file_process,
    voter_import_finish,
)

# advisory_lock(namespace, team id): any fixed number, distinct from other advisory locks.
TEAM_LOCK_NAMESPACE = 1313
# A voter import that wrote this many rows refreshes the planner's statistics at its end.
ANALYZE_AFTER_ROWS = 10_000
REPORT_COUNTERS = (
    "rows_read",
    "created",
    "updated",
    "unchanged",
    "skipped",
    "households_created",
    "households_updated",
)
Progress = Callable[[ImportJob], None]


def _upload_dir() -> Path:
    path = Path(settings.IMPORT_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _store(upload: IO[bytes]) -> tuple[Path, int]:
    path = _upload_dir() / f"{uuid.uuid4().hex}.csv"
    size = 0
    with path.open("wb") as out:
        chunks: Iterator[bytes] = (
            upload.chunks()
            if hasattr(upload, "chunks")
            else iter(lambda: upload.read(1 << 20), b"")
        )
        for chunk in chunks:
            out.write(chunk)
            size += len(chunk)
    return path, size


def _check(kind: str, path: Path) -> None:
    """File-level problems are answered at once (400), before a job exists."""
    with path.open("rb") as stream:
        if kind == ImportKind.VOTERS:
            check_file_head(stream)
            read_header(stream)
            return
        from events.services.locations import REQUIRED_COLUMNS

        head = stream.readline().decode("utf-8-sig", errors="replace")
    columns = [column.strip() for column in head.strip().split(",")]
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise ImportFileError(
            f"The CSV lacks the columns: {', '.join(missing)}.", code=ErrorCode.MISSING_COLUMNS
        )


def import_job_create(
    *,
    actor: Any | None,
    kind: str,
    upload: IO[bytes],
    source_name: str = "",
    team: Any | None = None,
    path: Path | None = None,
    enqueue: bool = True,
) -> ImportJob:
    """Store the upload (or use the file at `path`), check it is an importable file, create the
    job and start its task after commit (inline when no broker is configured). Raises
    ImportFileError (400) for a file that cannot be imported at all."""
    stored = path is None
    if path is None:
        path, size = _store(upload)
    else:
        size = path.stat().st_size
    try:
        _check(kind, path)
    except ApplicationError:
        if stored:
            path.unlink(missing_ok=True)
        raise
    job = ImportJob.objects.create(
        kind=kind,
        team=team,
        created_by=actor,
        source_name=source_name[:200],
        upload_path=str(path),
        total_bytes=size,
    )
    if enqueue:
        from canvass.tasks import import_job_run_task

        transaction.on_commit(lambda: import_job_run_task.delay(job.pk))
    return job


def import_job_upload(
    *, actor: User, kind: str, upload: UploadedFile, team_id: int | None = None
) -> ImportJob:
    """An upload through the API: create the job for the team named (see `import_job_team`) and
    answer it as it stands after commit, which is when its task starts (and, with no broker
    configured, runs to the end inline)."""
    with transaction.atomic():
        job = import_job_create(
            actor=actor,
            kind=kind,
            upload=upload,
            source_name=upload.name or "",
            team=import_job_team(user=actor, team_id=team_id),
        )
    job.refresh_from_db()
    return job


@contextlib.contextmanager
def _team_turn(team_id: int | None) -> Iterator[None]:
    """Jobs of one team run one at a time: an advisory lock held for the run by a transaction of
    its own (`advisory_lock`; the database releases it if the worker dies). SQLite has one writer
    anyway."""
    with advisory_lock(TEAM_LOCK_NAMESPACE, team_id or 0):
        yield


def _restore(report: ImportReport, counts: dict[str, Any]) -> None:
    for name in REPORT_COUNTERS:
        setattr(report, name, int(counts.get(name, 0)))
    for name, value in (counts.get("geocoding") or {}).items():
        report.geocoding[name] = int(value)
    report.geocoder_paused = bool(counts.get("geocoder_paused"))


def _apply_counts(job: ImportJob, report: ImportReport) -> None:
    counts = report.counts()
    counts.pop("errors", None)
    counts.pop("warnings", None)
    job.counts = counts
    job.rows_read = report.rows_read
    job.rows_stored = report.created + report.updated + report.unchanged
    job.rows_skipped = report.skipped
    job.rows_geocoded = report.geocoding["geocoded"]
    job.rows_needing_review = report.geocoding["needs_review"]
    job.rows_geocode_failed = report.geocoding["failed"] + report.geocoding["not_found"]
    job.rows_geocode_pending = report.geocoding["pending"]


def _flush_problems(job: ImportJob, report: ImportReport) -> None:
    problems = [
        ImportJobProblem(job=job, line=entry["line"], level=level, reason=entry["reason"][:300])
        for level, bucket in (("error", report.errors), ("warning", report.warnings))
        for entry in bucket
    ]
    ImportJobProblem.objects.bulk_create(problems, batch_size=1000)
    report.errors.clear()
    report.warnings.clear()


def import_job_run(
    *,
    job_id: int,
    max_batches: int | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportJob:
    """Run (or resume) a job to its end, or for `max_batches` batches. Safe to call twice:
    a finished job is left alone, a running one continues from its checkpoint."""
    team_id = ImportJob.objects.filter(pk=job_id).values_list("team_id", flat=True).first()
    with _team_turn(team_id):
        job = ImportJob.objects.get(pk=job_id)
        if job.state in (ImportState.DONE, ImportState.FAILED):
            return job
        job.state = ImportState.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.attempts += 1
        job.save(update_fields=["state", "started_at", "attempts", "updated_at"])
        try:
            if job.kind == ImportKind.VOTERS:
                _run_voters(job, max_batches, progress, batch_size)
            else:
                _run_sites(job, progress)
        except (ApplicationError, OSError) as exc:
            job.state, job.error = ImportState.FAILED, str(getattr(exc, "message", exc))[:500]
            job.finished_at = timezone.now()
            job.save(update_fields=["state", "error", "finished_at", "updated_at"])
        return job


def _run_voters(
    job: ImportJob, max_batches: int | None, progress: Progress | None, batch_size: int
) -> None:
    if job.voter_import_id is None:
        job.voter_import = VoterImport.objects.create(
            created_by=job.created_by, source_name=job.source_name
        )
        job.save(update_fields=["voter_import", "updated_at"])
    run = job.voter_import
    assert run is not None
    report = ImportReport(import_id=run.pk)
    _restore(report, job.counts)
    batches = {"n": 0}

    def after_batch(offset: int, next_line: int) -> None:
        _flush_problems(job, report)
        _apply_counts(job, report)
        job.resume_offset, job.resume_line = offset, next_line
        job.save()
        batches["n"] += 1
        if progress is not None:
            progress(job)

    def should_stop() -> bool:
        return max_batches is not None and batches["n"] >= max_batches

    with Path(job.upload_path).open("rb") as stream:
        columns = read_header(stream)
        finished = voter_file_process(
            stream=stream,
            columns=columns,
            run=run,
            report=report,
            batch_size=batch_size,
            start_offset=job.resume_offset,
            start_line=job.resume_line or 2,
            after_batch=after_batch,
            should_stop=should_stop,
        )
    if not finished:
        return
    voter_import_finish(run=run, report=report, actor=job.created_by)
    if report.created + report.updated >= ANALYZE_AFTER_ROWS:
        tables_analyze(Household, Voter)  # before turf is cut from them
    job.state, job.finished_at = ImportState.DONE, timezone.now()
    job.save(update_fields=["state", "finished_at", "updated_at"])
    _discard_upload(job)


def _run_sites(job: ImportJob, progress: Progress | None) -> None:
    from events.services.locations import sites_import

    with Path(job.upload_path).open("rb") as stream:
        report = sites_import(stream=stream, actor=job.created_by)
    with transaction.atomic():
        # A restarted site job starts over: the import is idempotent, and its problems are
        # written once, here, with the outcome.
        job.problems.all().delete()
        ImportJobProblem.objects.bulk_create(
            [
                ImportJobProblem(job=job, line=row.row, level="error", reason=row.message[:300])
                for row in report.rows
                if row.status == "error"
            ],
            batch_size=1000,
        )
        summary = report.summary()
        job.counts = summary
        job.rows_read = int(summary["rows"])
        job.rows_skipped = int(summary["errors"])
        job.rows_stored = job.rows_read - job.rows_skipped
        job.rows_geocoded = int(summary["geocoded"])
        job.rows_needing_review = int(summary["needs_review"])
        job.resume_offset = job.total_bytes
        job.state, job.finished_at = ImportState.DONE, timezone.now()
        job.save()
    if progress is not None:
        progress(job)
    _discard_upload(job)


def _discard_upload(job: ImportJob) -> None:
    """Uploads stored by the web are removed once imported; a command's own file is kept."""
    path = Path(job.upload_path)
    if path.parent == Path(settings.IMPORT_UPLOAD_DIR):
        path.unlink(missing_ok=True)


def import_jobs_stalled(*, idle_seconds: int = 600) -> list[int]:
    """Jobs queued or running with no progress for `idle_seconds`: their worker died."""
    cutoff = timezone.now() - timedelta(seconds=idle_seconds)
    return list(
        ImportJob.objects.filter(
            state__in=(ImportState.QUEUED, ImportState.RUNNING), updated_at__lt=cutoff
        ).values_list("id", flat=True)
    )


def import_job_eta_seconds(job: ImportJob) -> float | None:
    """Seconds left, from the bytes done so far and the time they took."""
    if job.state != ImportState.RUNNING or not job.started_at or not job.resume_offset:
        return None
    elapsed = (timezone.now() - job.started_at).total_seconds()
    remaining = max(job.total_bytes - job.resume_offset, 0)
    return round(elapsed * remaining / job.resume_offset, 1)
