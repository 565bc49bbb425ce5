"""Precincts, households (doors), voters, turf and turf assignments."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class VoterImport(models.Model):
    """One run of the voter-file import, with its report (counts and per-line errors)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    source_name = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"import {self.pk}"


class ImportKind(models.TextChoices):
    VOTERS = "voters", "Voter file"
    SITES = "sites", "Caucus sites"


class ImportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed (the file could not be read; nothing more was written)"


class ImportJob(models.Model):
    """An uploaded file being imported in the background, with its progress and counts.

    `resume_offset`/`resume_line` point just past the last batch committed: a job restarted
    after a worker died continues from there, and the rows before it are not written twice.
    """

    kind = models.CharField(max_length=8, choices=ImportKind.choices)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=8, choices=ImportState.choices, default=ImportState.QUEUED)
    source_name = models.CharField(max_length=200, blank=True)
    upload_path = models.CharField(max_length=300)
    total_bytes = models.BigIntegerField(default=0)
    resume_offset = models.BigIntegerField(default=0)
    resume_line = models.PositiveIntegerField(default=0)
    voter_import = models.ForeignKey(
        VoterImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_stored = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    rows_geocoded = models.PositiveIntegerField(default=0)
    rows_needing_review = models.PositiveIntegerField(default=0)
    rows_geocode_failed = models.PositiveIntegerField(default=0)
    rows_geocode_pending = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["team", "state"], name="importjob_team_state")]

    def __str__(self) -> str:
        return f"{self.kind} import job {self.pk}"


class ImportJobProblem(models.Model):
    """One line of a job's per-row report: a skipped row or a warning, with its line number."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField()
    level = models.CharField(max_length=8)  # error | warning
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["job", "line"], name="importjobproblem_job_line")]

    def __str__(self) -> str:
        return f"job {self.job_id} line {self.line}"


class ImportSeenVoter(models.Model):
    """Voter ids an import run found unchanged (so written nowhere else): the duplicate check
    for later lines of the same file. Scratch bookkeeping, emptied when the run finishes;
    UNLOGGED on PostgreSQL (no WAL)."""

    import_run = models.ForeignKey(VoterImport, on_delete=models.CASCADE, related_name="+")
    state_voter_id = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["import_run", "state_voter_id"], name="importseen_unique_run_voter"
            )
        ]

    def __str__(self) -> str:
        return f"run {self.import_run_id} saw {self.state_voter_id}"
