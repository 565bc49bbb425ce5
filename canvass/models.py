"""Precincts, households (doors), voters, turf and turf assignments."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from backend.crypto import EncryptedTextField


class Precinct(models.Model):
    """One precinct boundary. `boundary` is GeoJSON (Polygon or MultiPolygon, lon/lat).

    The bbox columns let SQL narrow point-in-polygon candidates before shapely decides.
    """

    county = models.CharField(max_length=80)
    county_key = models.CharField(max_length=80, db_index=True, help_text="Upper-case, A-Z0-9")
    name = models.CharField(max_length=120)
    name_key = models.CharField(max_length=120)
    district = models.CharField(max_length=80, blank=True)
    boundary = models.JSONField()
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lon = models.FloatField()
    geometry_repaired = models.BooleanField(default=False)
    invalid_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county_key", "name_key"], name="precinct_unique_county_name"
            )
        ]
        indexes = [
            models.Index(fields=["min_lat", "max_lat", "min_lon", "max_lon"], name="precinct_bbox")
        ]

    def __str__(self) -> str:
        return f"{self.county}: {self.name}"


class GeocodeStatus(models.TextChoices):
    PROVIDED = "provided", "Coordinates from the voter file"
    GEOCODED = "geocoded", "Geocoded to the door"
    NEEDS_REVIEW = "needs_review", "Geocoder match too coarse; needs review"
    FAILED = "failed", "Geocoding failed or found nothing"
    PENDING = "pending", "Not geocoded yet (geocoder off, paused or failing; retried later)"
    PLACED = "placed", "Placed by hand by a field lead"


class Household(models.Model):
    """One door: the voters at one normalized address share it."""

    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    address_key = models.CharField(max_length=400, unique=True)
    county = models.CharField(max_length=80, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    geocode_status = models.CharField(
        max_length=16, choices=GeocodeStatus.choices, default=GeocodeStatus.PENDING
    )
    precinct = models.ForeignKey(
        Precinct, null=True, blank=True, on_delete=models.SET_NULL, related_name="households"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)
    # Safety flags: only ever set by conversation logs, only cleared by field leads/organizers.
    # db_default: the voter import COPYs households without naming these columns.
    do_not_knock = models.BooleanField(db_default=False)
    moved = models.BooleanField(db_default=False)
    deceased = models.BooleanField(db_default=False)
    change_stamp = models.BigIntegerField(db_default=0, editable=False, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"], name="household_lat_lon")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="household_coordinates_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"household {self.pk}"

    @property
    def one_line_address(self) -> str:
        street = f"{self.street} UNIT {self.unit}" if self.unit else self.street
        return ", ".join(
            part for part in (street, self.city, f"{self.state} {self.zip_code}") if part
        )


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


class Voter(models.Model):
    state_voter_id = models.CharField(max_length=40, unique=True)
    first_name = models.CharField(max_length=80)
    middle_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80)
    party = models.CharField(max_length=40, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    phone = EncryptedTextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=40, blank=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="voters")
    last_import = models.ForeignKey(
        VoterImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Hash of the file's cells for this voter as last imported: an identical line in the next
    # file is recognised as unchanged without parsing it, and the row is not written.
    source_hash = models.CharField(max_length=32, blank=True, db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)
    change_stamp = models.BigIntegerField(db_default=0, editable=False, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"voter {self.state_voter_id}"


class TurfStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class Turf(models.Model):
    """A named walkable area owned by a team, with its ordered doors."""

    name = models.CharField(max_length=120)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="turfs")
    precinct = models.ForeignKey(
        Precinct, null=True, blank=True, on_delete=models.SET_NULL, related_name="turfs"
    )
    boundary = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=TurfStatus.choices, default=TurfStatus.DRAFT)
    households = models.ManyToManyField(Household, through="TurfHousehold", related_name="turfs")
    script = models.ForeignKey(
        "Script", null=True, blank=True, on_delete=models.SET_NULL, related_name="turfs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TurfHousehold(models.Model):
    """A door's place in a turf's walk order. `active` is False once the turf is completed, which
    frees the household for new turf while keeping the history."""

    turf = models.ForeignKey(Turf, on_delete=models.CASCADE, related_name="stops")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="turf_stops")
    position = models.PositiveIntegerField()
    active = models.BooleanField(default=True)
    change_stamp = models.BigIntegerField(db_default=0, editable=False, db_index=True)

    class Meta:
        ordering = ["turf", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["turf", "household"], name="turfhousehold_unique_turf_household"
            ),
            # The database's final word on "a household is in at most one active turf".
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(active=True),
                name="turfhousehold_one_active_turf",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.turf_id}#{self.position}: {self.household_id}"


class TurfAssignment(models.Model):
    """Who walks a turf. Unassigning closes the row; history is kept."""

    turf = models.ForeignKey(Turf, on_delete=models.CASCADE, related_name="assignments")
    canvasser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="turf_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField()
    unassigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unassigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)
    change_stamp = models.BigIntegerField(db_default=0, editable=False, db_index=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["turf", "canvasser"],
                condition=Q(unassigned_at__isnull=True),
                name="turfassignment_one_open_per_canvasser",
            )
        ]

    def __str__(self) -> str:
        return f"turf {self.turf_id} → user {self.canvasser_id}"


# --- Scripts, conversation logs and sync ------------------------------------------------------


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    YES_NO = "yes_no", "Yes / no"
    SCALE = "scale", "Scale"
    FREE_TEXT = "free_text", "Free text"


class Script(models.Model):
    """A canvass script with ordered survey questions. A turf's `script`, or else the newest
    default script, is the active one for its doors."""

    name = models.CharField(max_length=200)
    is_default = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    change_stamp = models.BigIntegerField(db_default=0, editable=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One survey question. `code` is stable (clients and exports key on it); `choices` holds
    `[{"code": ..., "label": ...}]` for single/multiple choice; scale questions use
    `scale_min`..`scale_max`."""

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=60)
    text = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    position = models.PositiveIntegerField()
    choices = models.JSONField(default=list, blank=True)
    scale_min = models.SmallIntegerField(null=True, blank=True)
    scale_max = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["script", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["script", "code"], name="question_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.script_id}:{self.code}"


class Result(models.TextChoices):
    CONTACTED = "contacted", "Contacted"
    NOT_HOME = "not_home", "Not home"
    REFUSED = "refused", "Refused"
    MOVED = "moved", "Moved"
    WRONG_ADDRESS = "wrong_address", "Wrong address"
    INACCESSIBLE = "inaccessible", "Inaccessible"
    DECEASED = "deceased", "Deceased"
    LANGUAGE_BARRIER = "language_barrier", "Language barrier"
    COME_BACK_LATER = "come_back_later", "Come back later"


class Pledge(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNDECIDED = "undecided", "Undecided"


class WillCaucus(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    MAYBE = "maybe", "Maybe"


def free_text_load(stored: str) -> dict[str, str]:
    """The decrypted `free_text_answers` value as a dict (empty when there are none)."""
    return json.loads(stored) if stored else {}


def free_text_dump(answers: dict[str, str]) -> str:
    return json.dumps(answers, sort_keys=True, ensure_ascii=False) if answers else ""


class ConversationLog(models.Model):
    """One door knock, logged on the phone (maybe offline) and pushed later.

    `client_uuid` is the idempotency key: the unique constraint is the final word on "exactly
    once". `contacted_at` is the device clock (kept, never used for ordering); `received_at` is
    the server's. Flags mark logs for review; nothing is rejected for being implausible.
    """

    client_uuid = models.UUIDField(unique=True)
    # canvasser, household and turf are indexed by the composite indexes below (they lead
    # them); separate FK indexes would only slow the sync insert down.
    canvasser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="conversation_logs",
        db_index=False,
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="logs", db_index=False
    )
    voter = models.ForeignKey(
        Voter, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    turf = models.ForeignKey(Turf, on_delete=models.PROTECT, related_name="logs", db_index=False)
    script = models.ForeignKey(
        Script, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    result = models.CharField(max_length=20, choices=Result.choices)
    do_not_knock = models.BooleanField(default=False)
    support_level = models.PositiveSmallIntegerField(null=True, blank=True)
    # Choice, yes/no and scale answers; answers to free-text questions are personal data like
    # notes and live encrypted in `free_text_answers` (JSON of code -> text), never here.
    answers = models.JSONField(default=dict, blank=True)
    free_text_answers = EncryptedTextField(blank=True, default="", db_default="")
    pledge = models.CharField(max_length=10, choices=Pledge.choices, blank=True)
    will_caucus = models.CharField(max_length=10, choices=WillCaucus.choices, blank=True)
    wants_to_volunteer = models.BooleanField(default=False)
    volunteer_consent = models.BooleanField(default=False)
    follow_up_needed = models.BooleanField(default=False)
    notes = EncryptedTextField(blank=True)
    contacted_at = models.DateTimeField()
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    distance_m = models.FloatField(null=True, blank=True)
    flag_distance = models.BooleanField(default=False)
    flag_pace = models.BooleanField(default=False)
    flag_unverified = models.BooleanField(default=False)
    flag_cleared = models.BooleanField(default=False)
    excluded = models.BooleanField(default=False)
    device_id = models.CharField(max_length=64, blank=True)
    batch_id = models.UUIDField(null=True, blank=True)
    received_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    change_stamp = models.BigIntegerField(db_default=0, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["turf", "change_stamp"], name="log_turf_stamp"),
            models.Index(fields=["canvasser", "contacted_at"], name="log_canvasser_time"),
            models.Index(fields=["household", "-received_at"], name="log_household_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(support_level__isnull=True)
                | Q(support_level__gte=1, support_level__lte=5, result="contacted"),
                name="log_support_level_1_5_when_contacted",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="log_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"log {self.pk}"

    @property
    def all_answers(self) -> dict[str, Any]:
        """Every answer, free-text ones decrypted back in (for the canvasser who wrote them)."""
        return {**self.answers, **free_text_load(self.free_text_answers)}

    @property
    def flagged(self) -> bool:
        return self.flag_distance or self.flag_pace or self.flag_unverified

    @property
    def flags(self) -> list[str]:
        return [
            name
            for name, on in (
                ("distance", self.flag_distance),
                ("pace", self.flag_pace),
                ("unverified", self.flag_unverified),
            )
            if on
        ]


class ReviewAction(models.TextChoices):
    EXCLUDE = "exclude", "Exclude from counts"
    INCLUDE = "include", "Count again"
    CLEAR = "clear", "Clear the flag"
    REOPEN = "reopen", "Flag again"


class LogReview(models.Model):
    """Who did what to a flagged log, and when (the review queue's history)."""

    log = models.ForeignKey(ConversationLog, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=10, choices=ReviewAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"review {self.pk} of log {self.log_id}"


class LogRevision(models.Model):
    """The previous version of a log before a canvasser edited or deleted it."""

    log = models.ForeignKey(ConversationLog, on_delete=models.CASCADE, related_name="revisions")
    action = models.CharField(max_length=10, choices=[("edit", "Edit"), ("delete", "Delete")])
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    previous = models.JSONField()
    previous_notes = EncryptedTextField(blank=True)
    previous_free_text_answers = EncryptedTextField(blank=True, default="", db_default="")

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"revision {self.pk} of log {self.log_id}"


class DeviceSync(models.Model):
    """Readiness: a canvasser's device, its app version, last sync and pending logs."""

    canvasser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    device_id = models.CharField(max_length=64)
    app_version = models.CharField(max_length=32, blank=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    pending_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["canvasser", "device_id"]
        constraints = [
            models.UniqueConstraint(fields=["canvasser", "device_id"], name="devicesync_unique")
        ]

    def __str__(self) -> str:
        return f"device {self.pk} of user {self.canvasser_id}"


class SyncSequence(models.Model):
    """SQLite only: the single-row counter its triggers stamp changed rows with."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)


class SyncRemoval(models.Model):
    """A tombstone: something a phone may hold is gone, so the pull can say "forget this".

    Written only by database triggers (migration 0004), whatever path removed the row: a voter
    erased or deleted, a voter moved to another door by a re-import (`household` is the door
    the voter left), a door taken out of a turf, a log or an assignment deleted. No foreign
    keys: the rows they name no longer exist where they were.
    """

    class Kind(models.TextChoices):
        VOTER = "voter", "Voter left this household (moved, erased or deleted)"
        HOUSEHOLD = "household", "Household taken out of this turf"
        LOG = "log", "Log deleted"
        ASSIGNMENT = "assignment", "Turf assignment deleted"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.BigIntegerField()
    household_id = models.BigIntegerField(null=True)
    turf_id = models.BigIntegerField(null=True)
    canvasser_id = models.BigIntegerField(null=True)
    removed_at = models.DateTimeField(db_default=Now())
    change_stamp = models.BigIntegerField(db_default=0, editable=False)

    class Meta:
        indexes = [models.Index(fields=["change_stamp"], name="syncremoval_stamp")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} removed"


# --- Import jobs (voter file and caucus sites) ------------------------------------------------
# Owned by the import feature (issue 13); kept in one block so other changes to this module
# merge cleanly.


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
