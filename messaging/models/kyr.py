"""Know-your-rights texts: the short texts a canvasser sends at the door on request, and the
only record of those sends, a count per day, language and team (never the number)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class KnowYourRightsText(models.Model):
    """One language's text (at most two SMS segments, checked when saved)."""

    language = models.CharField(max_length=8, unique=True)
    body = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]

    def __str__(self) -> str:
        return f"know your rights ({self.language})"


class KnowYourRightsSendCount(models.Model):
    """How many know-your-rights texts went out on one local day, in one language, by one
    team's canvassers (team null: a sender on no team). Nothing else of a send is kept."""

    day = models.DateField()
    language = models.CharField(max_length=8)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "language", "team_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "language", "team"],
                condition=models.Q(team__isnull=False),
                name="kyr_count_one_per_day_language_team",
            ),
            models.UniqueConstraint(
                fields=["day", "language"],
                condition=models.Q(team__isnull=True),
                name="kyr_count_one_per_day_language_no_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.language} team {self.team_id}: {self.count}"
