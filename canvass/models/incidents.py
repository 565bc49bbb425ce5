"""Incidents: a field lead or organizer freezes an area (immigration enforcement activity, police,
a hostile person, weather) and everyone working there is texted.

An incident names no resident and holds no voter or address: turf ids, the area as drawn, a kind,
a short instruction (screened like notes, blanked by the retention purge), who declared and
lifted it and when. Notices are the claim rows of the broadcast: one per (incident, person,
kind), so a retry or a racing lift never texts anyone twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

# A short instruction, so the whole text (marker, kind, turf, instruction) stays one or two SMS.
INSTRUCTION_MAX = 160
# A radius around a point, in metres: a block at least, a small town with its outskirts at most.
RADIUS_MIN_M = 50
RADIUS_MAX_M = 25_000


class IncidentKind(models.TextChoices):
    IMMIGRATION_ENFORCEMENT = "immigration_enforcement", "Immigration enforcement activity"
    POLICE = "police", "Police activity"
    HOSTILE_PERSON = "hostile_person", "Hostile person"
    WEATHER = "weather", "Severe weather"
    OTHER = "other", "Other danger"


class AreaKind(models.TextChoices):
    POLYGON = "polygon", "Polygon"
    CIRCLE = "circle", "Radius around a point"
    TURFS = "turfs", "List of turfs"


class Incident(models.Model):
    """One freeze over an area; active until `lifted_at` is set."""

    kind = models.CharField(max_length=32, choices=IncidentKind.choices)
    instruction = models.CharField(max_length=INSTRUCTION_MAX, blank=True)
    area_kind = models.CharField(max_length=8, choices=AreaKind.choices)
    # The area as declared: a GeoJSON polygon (a circle is kept as its centre and radius, and
    # the polygon drawn from them); None for a list of turfs.
    area = models.JSONField(null=True, blank=True)
    center_latitude = models.FloatField(null=True, blank=True)
    center_longitude = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    turfs: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "Turf", through="IncidentTurf", related_name="incidents"
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Counts stay when the retention purge blanks the instruction.
    notified_count = models.PositiveIntegerField(default=0)
    unreachable_count = models.PositiveIntegerField(default=0)  # no number, consent, opted out
    lift_notified_count = models.PositiveIntegerField(default=0)
    instruction_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_m__isnull=True)
                | Q(radius_m__gte=RADIUS_MIN_M, radius_m__lte=RADIUS_MAX_M),
                name="incident_radius_bounded",
            )
        ]

    def __str__(self) -> str:
        return f"incident {self.pk} ({self.kind})"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class IncidentTurf(models.Model):
    """A turf an incident paused."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="incident_turfs")
    turf = models.ForeignKey("Turf", on_delete=models.CASCADE, related_name="incident_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "turf"], name="incidentturf_unique")
        ]

    def __str__(self) -> str:
        return f"incident {self.incident_id} turf {self.turf_id}"


class NoticeKind(models.TextChoices):
    DECLARED = "declared", "Told of the incident"
    LIFTED = "lifted", "Told it was lifted"


class IncidentNotice(models.Model):
    """The claim of one text: at most one per (incident, person, kind), the database's word."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=NoticeKind.choices)
    # The outbox row (messaging's SmsMessage id; not a foreign key across apps).
    sms_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "user", "kind"], name="incidentnotice_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"incident {self.incident_id} {self.kind} → user {self.user_id}"
