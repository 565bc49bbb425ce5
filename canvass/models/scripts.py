"""Precincts, households (doors), voters, turf and turf assignments."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    YES_NO = "yes_no", "Yes / no"
    SCALE = "scale", "Scale"
    FREE_TEXT = "free_text", "Free text"
    PLANK = "plank", "A plank of the platform (support / against / undecided)"


class PlankStance(models.TextChoices):
    """The answers to a plank question (the pledge question's yes / no / undecided counts as
    support / against / undecided for every active plank)."""

    SUPPORT = "support", "Supports"
    AGAINST = "against", "Against"
    UNDECIDED = "undecided", "Undecided"


# What a plank question offers, stored as its `choices` so a phone renders it like a choice.
PLANK_CHOICES = [{"code": value, "label": label} for value, label in PlankStance.choices]


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
    # The plank a `plank` question asks about (and only such a question has one).
    plank = models.ForeignKey(
        "canvass.Plank", null=True, blank=True, on_delete=models.PROTECT, related_name="questions"
    )

    class Meta:
        ordering = ["script", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["script", "code"], name="question_unique_code"),
            models.CheckConstraint(
                condition=models.Q(kind="plank", plank__isnull=False)
                | (~models.Q(kind="plank") & models.Q(plank__isnull=True)),
                name="question_plank_iff_plank_kind",
            ),
            models.UniqueConstraint(
                fields=["script", "plank"],
                condition=models.Q(plank__isnull=False),
                name="question_one_per_plank",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.script_id}:{self.code}"
