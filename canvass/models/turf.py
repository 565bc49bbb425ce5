"""Precincts, households (doors), voters, turf and turf assignments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from canvass.models.households import Household
from canvass.models.precincts import Precinct


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
    # Set while an active incident covers the turf (canvass/services/incidents.py): the pull
    # marks it paused and phones stop knocking.
    paused_at = models.DateTimeField(null=True, blank=True)

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
