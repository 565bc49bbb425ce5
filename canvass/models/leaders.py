"""The leaders' pledge scorecard: political leaders and candidates, and where each stands on
each plank of the platform, with the public source of every position and its history.

A position always has a public source (an http(s) URL and the date it was said or published):
the database refuses one without (`leaderposition_sourced`), so an unsourced position can never
be published. A leader is public (the public scorecard, canvassers' phones) only once an
organizer publishes them. `change_stamp` is stamped like every synced row (migration triggers),
and every write to a leader's positions bumps the leader's `revision`, so phones pull the new scorecard.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from canvass.models.platform import Plank
from canvass.models.precincts import Precinct


class Jurisdiction(models.TextChoices):
    STATE = "state", "State-wide"
    COUNTY = "county", "County"
    DISTRICT = "district", "District"
    PRECINCT = "precinct", "Precinct"


class Stance(models.TextChoices):
    PLEDGED = "pledged", "Pledged"
    PARTLY = "partly", "Partly"
    DECLINED = "declined", "Declined"
    NO_ANSWER = "no_answer", "No answer"


class Leader(models.Model):
    """A political leader or candidate. `office` is the office held or the race run in
    ("Iowa House District 34"); `county` holds the canonical county name for a county leader
    (and the precinct's county for a precinct leader); `district` matches `Precinct.district`."""

    name = models.CharField(max_length=200)
    office = models.CharField(max_length=200)
    party = models.CharField(max_length=80, blank=True)
    jurisdiction = models.CharField(max_length=10, choices=Jurisdiction.choices)
    county = models.CharField(max_length=80, blank=True, db_index=True)
    district = models.CharField(max_length=80, blank=True)
    precinct = models.ForeignKey(
        Precinct, null=True, blank=True, on_delete=models.PROTECT, related_name="leaders"
    )
    published = models.BooleanField(default=False)
    # Bumped by every change of the leader's positions (and of a plank they name): the row
    # changes, so its change stamp moves and phones pull the new scorecard.
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    change_stamp = models.BigIntegerField(db_default=0, editable=False, db_index=True)

    class Meta:
        ordering = ["office", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(jurisdiction="county") | ~Q(county=""),
                name="leader_county_needs_county",
            ),
            models.CheckConstraint(
                condition=~Q(jurisdiction="district") | ~Q(district=""),
                name="leader_district_needs_district",
            ),
            models.CheckConstraint(
                condition=Q(jurisdiction="precinct", precinct__isnull=False)
                | (~Q(jurisdiction="precinct") & Q(precinct__isnull=True)),
                name="leader_precinct_iff_precinct",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LeaderPosition(models.Model):
    """Where a leader stands on one plank, and the public source that says so."""

    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="positions")
    plank = models.ForeignKey(Plank, on_delete=models.PROTECT, related_name="leader_positions")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    source_url = models.URLField(max_length=500)
    source_date = models.DateField()
    summary = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["plank__position", "plank_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "plank"], name="leaderposition_one_per_plank"
            ),
            models.CheckConstraint(
                condition=~Q(source_url="") & Q(source_date__isnull=False),
                name="leaderposition_sourced",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader_id}:{self.plank_id}={self.stance}"


class LeaderPositionChange(models.Model):
    """One change of a position: who, when, the old and the new stance and source (the old
    ones blank for the first)."""

    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="position_changes")
    plank = models.ForeignKey(Plank, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    old_stance = models.CharField(max_length=10, choices=Stance.choices, blank=True)
    new_stance = models.CharField(max_length=10, choices=Stance.choices)
    old_source_url = models.URLField(max_length=500, blank=True)
    new_source_url = models.URLField(max_length=500)
    old_source_date = models.DateField(null=True, blank=True)
    new_source_date = models.DateField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"change {self.pk} of leader {self.leader_id}"
