"""Precincts, households (doors), voters, turf and turf assignments."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.crypto import EncryptedTextField
from canvass.models.households import Household, Voter
from canvass.models.scripts import Script
from canvass.models.turf import Turf


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


class ReviewReason(models.TextChoices):
    """Why a reviewer excluded or cleared a log: a fixed list, never free text (no personal
    data in the review history)."""

    DUPLICATE = "duplicate", "Duplicate of another conversation"
    WRONG_DOOR = "wrong_door", "Logged at the wrong door"
    NOT_CREDIBLE = "not_credible", "Not credible"
    TEST_ENTRY = "test_entry", "Test or training entry"
    OTHER = "other", "Other"


class LogReview(models.Model):
    """Who did what to a flagged log, when and why (the review queue's history)."""

    log = models.ForeignKey(ConversationLog, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=10, choices=ReviewAction.choices)
    # Required to exclude, optional otherwise; blank on reviews made before reasons existed.
    reason = models.CharField(max_length=16, choices=ReviewReason.choices, blank=True, default="")
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
