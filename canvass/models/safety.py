"""Field sessions and their check-ins: a canvasser out on turf checks in every few minutes; a
missed check-in escalates to the canvasser, then their field leads, then organizers.

Each escalation step is claimed once per (session, deadline, step) by a unique constraint, so two
workers never text the same step twice. The last known location is encrypted, visible only to
the turf team's field leads and organizers, and blanked when the session ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from backend.crypto import EncryptedTextField

# Bounds on a team's check-in interval, in minutes: under 5 the texts become noise, over 4 hours
# a missed check-in means nothing.
CHECKIN_INTERVAL_MIN_MINUTES = 5
CHECKIN_INTERVAL_MAX_MINUTES = 240


class TeamSafetySettings(models.Model):
    """A team's check-in interval (teams without a row use SAFETY_CHECKIN_INTERVAL_MINUTES)."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    checkin_interval_minutes = models.PositiveSmallIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(checkin_interval_minutes__gte=CHECKIN_INTERVAL_MIN_MINUTES)
                & Q(checkin_interval_minutes__lte=CHECKIN_INTERVAL_MAX_MINUTES),
                name="teamsafetysettings_interval_in_bounds",
            )
        ]

    def __str__(self) -> str:
        return f"team {self.team_id}: every {self.checkin_interval_minutes} min"


class SafetyPin(models.Model):
    """A person's PINs, hashed like passwords. The duress PIN checks in or ends a session exactly
    like a normal one on the phone, and alerts the field leads at once. The all-clear PIN is
    optional; once set, check-ins and ends need one of the two."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_pin"
    )
    duress_pin_hash = models.CharField(max_length=128)
    all_clear_pin_hash = models.CharField(max_length=128, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"PINs of user {self.user_id}"


class FieldSessionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ENDED = "ended", "Ended (home safe)"


class FieldSession(models.Model):
    """One canvasser's time out on one turf, from start to "home safe"."""

    canvasser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_sessions"
    )
    turf = models.ForeignKey("canvass.Turf", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=8, choices=FieldSessionStatus.choices, default=FieldSessionStatus.OPEN
    )
    started_at = models.DateTimeField()
    expected_end_at = models.DateTimeField()
    checkin_interval_minutes = models.PositiveSmallIntegerField()
    # The deadline being watched: the next check-in (or the expected end, whichever is first).
    next_checkin_due_at = models.DateTimeField(db_index=True)
    last_checkin_at = models.DateTimeField()
    # "lat,lng" of the last check-in that gave one; blanked when the session ends.
    last_location = EncryptedTextField(blank=True)
    last_location_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["canvasser"],
                condition=Q(status="open"),
                name="fieldsession_one_open_per_canvasser",
            ),
            models.CheckConstraint(
                condition=Q(expected_end_at__gt=F("started_at")),
                name="fieldsession_ends_after_start",
            ),
            # Nothing of where the person was survives the end of the session (the encrypted
            # text itself cannot be compared in SQL; the service blanks both together).
            models.CheckConstraint(
                condition=Q(status="open") | Q(last_location_at=None),
                name="fieldsession_ended_holds_no_location",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.pk} of user {self.canvasser_id}"


class EscalationStep(models.TextChoices):
    CANVASSER = "canvasser", "Check-in due: text to the canvasser"
    FIELD_LEAD = "field_lead", "Missed check-in: text to the field leads"
    ORGANIZER = "organizer", "Missed check-in: text to the organizers"
    DURESS = "duress", "Duress PIN used: alert to field leads and organizers"
    RESOLVED = "resolved", "Checked in after an escalation: text to those alerted"


class SafetyEscalation(models.Model):
    """One step taken for one deadline of a session (for a duress alert: the moment the duress
    PIN was used). The unique constraint is the claim: a second worker
    (or a retry) finds the step taken and sends nothing."""

    session = models.ForeignKey(FieldSession, on_delete=models.CASCADE, related_name="escalations")
    deadline = models.DateTimeField()
    step = models.CharField(max_length=12, choices=EscalationStep.choices)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "deadline", "step"], name="safetyescalation_once_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.step} for session {self.session_id} at {self.deadline:%Y-%m-%d %H:%M}"


class SafetyEscalationText(models.Model):
    """Who a step texted, and the outbox row (messaging.SmsMessage id) that carries it."""

    escalation = models.ForeignKey(SafetyEscalation, on_delete=models.CASCADE, related_name="texts")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outbox_message_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.escalation_id} → user {self.recipient_id}"
