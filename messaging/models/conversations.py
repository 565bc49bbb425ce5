"""What a number was last shown by text, so "2" can mean the second item of that list."""

from __future__ import annotations

from django.db import models


class ListKind(models.TextChoices):
    SHIFTS = "shifts", "Open shifts (SHIFTS / TURNOS)"
    MINE = "mine", "The number's own upcoming shifts (MY / MIS)"


class SmsConversation(models.Model):
    """One per phone number, keyed by its keyed hash (never the number): the last numbered
    list texted to it and when. "JOIN 2" picks from the last SHIFTS list, "DROP 2" from the last
    MY list; a list older than SMS_CONVERSATION_MINUTES means nothing any more."""

    phone_hash = models.CharField(max_length=64, unique=True)
    # Shift ids of the last SHIFTS list, in the order they were numbered (1 first).
    shift_ids = models.JSONField(default=list, blank=True)
    shifts_listed_at = models.DateTimeField(null=True, blank=True)
    # The ZIP code that list was near (a JOIN from someone without a record keeps it).
    zip_code = models.CharField(max_length=10, blank=True)
    # Signup ids of the last MY list, in order.
    signup_ids = models.JSONField(default=list, blank=True)
    signups_listed_at = models.DateTimeField(null=True, blank=True)
    # Which of the two came last: what a bare "2" refers to.
    last_list = models.CharField(max_length=8, choices=ListKind.choices, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"conversation {self.pk}: last list {self.last_list or 'none'}"
