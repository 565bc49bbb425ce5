"""Events data (split by feature); every write goes through `events.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from events.models.schedule import Shift
from events.models.volunteers import Volunteer


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "No-show"
    # A sensitive event's signup from a volunteer no organizer has vetted: holds no spot until
    # an organizer approves it (then confirmed or waitlisted by the usual rules) or declines it.
    PENDING = "pending", "Held for approval"
    DECLINED = "declined", "Declined"


# Statuses that hold one of the shift's spots.
SPOT_HOLDING_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW)
# Statuses that block the volunteer from signing up for the same shift (or an overlapping one).
ACTIVE_STATUSES = (*SPOT_HOLDING_STATUSES, SignupStatus.WAITLISTED, SignupStatus.PENDING)
# Statuses that are over: the volunteer may sign up for the same shift again.
CLOSED_STATUSES = (SignupStatus.CANCELLED, SignupStatus.DECLINED)


class SignupSource(models.TextChoices):
    APP = "app", "App"
    WEB = "web", "Web"
    SMS = "sms", "SMS"
    ORGANIZER = "organizer", "Organizer"


class Signup(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(max_length=12, choices=SignupStatus.choices)
    source = models.CharField(max_length=12, choices=SignupSource.choices)
    # Arrival order within the shift (the order the shift lock was acquired): the waitlist order.
    position = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shift_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=~Q(status__in=["cancelled", "declined"]),
                name="signup_one_active_per_volunteer_shift",
            ),
            models.UniqueConstraint(fields=["shift", "position"], name="signup_unique_position"),
        ]
        indexes = [models.Index(fields=["shift", "status", "position"], name="signup_shift_status")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} → shift {self.shift_id}: {self.status}"
