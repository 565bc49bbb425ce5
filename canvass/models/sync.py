"""Precincts, households (doors), voters, turf and turf assignments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


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
