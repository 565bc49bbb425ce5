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
