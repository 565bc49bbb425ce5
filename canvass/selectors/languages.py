"""Who needs which language at the doors of a turf, and which canvassers speak it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from backend.accounts.models import User
from backend.languages import DEFAULT_LANGUAGE
from canvass.models import Turf, Voter
from canvass.selectors.turf import team_canvassers


def turf_door_languages(*, turf: Turf) -> dict[str, int]:
    """Language code -> the turf's active doors with at least one voter who prefers it, for every
    language but English (a door with a Spanish and a French speaker counts once for each);
    most doors first."""
    rows = (
        Voter.objects.filter(household__turf_stops__turf=turf, household__turf_stops__active=True)
        .exclude(language__in=["", DEFAULT_LANGUAGE])
        .values("language")
        .annotate(doors=Count("household", distinct=True))
        .values_list("language", "doors")
    )
    return dict(sorted(rows, key=lambda row: (-row[1], row[0])))


@dataclass(frozen=True)
class CanvasserSuggestion:
    canvasser: User
    spoken_languages: list[str]
    languages_covered: list[str]
    doors_covered: int


def turf_canvasser_suggestions(*, turf: Turf) -> tuple[dict[str, int], list[CanvasserSuggestion]]:
    """The turf's door languages and its team's active canvassers, best first: most of those
    languages spoken, then most doors whose language they speak, then by username."""
    needed = turf_door_languages(turf=turf)
    suggestions = []
    for canvasser in team_canvassers(team=turf.team):
        spoken = list(canvasser.spoken_languages or [])
        covered = [code for code in needed if code in spoken]
        suggestions.append(
            CanvasserSuggestion(
                canvasser=canvasser,
                spoken_languages=spoken,
                languages_covered=covered,
                doors_covered=sum(needed[code] for code in covered),
            )
        )
    suggestions.sort(
        key=lambda s: (-len(s.languages_covered), -s.doors_covered, s.canvasser.username)
    )
    return needed, suggestions


def turf_language_pick(*, turf: Turf) -> User | None:
    """The best-suggested canvasser of the turf's team not yet assigned to it, or None."""
    assigned = set(
        turf.assignments.filter(unassigned_at__isnull=True).values_list("canvasser_id", flat=True)
    )
    _, suggestions = turf_canvasser_suggestions(turf=turf)
    return next((s.canvasser for s in suggestions if s.canvasser.pk not in assigned), None)


def voter_language_counts() -> dict[str, int]:
    """Voters by stored language, most first, unknown ("") last (the whole file, for the
    `voter_languages` command)."""
    rows = (
        Voter.objects.values_list("language").annotate(n=Count("id")).values_list("language", "n")
    )
    return dict(sorted(rows, key=lambda row: (row[0] == "", -row[1], row[0])))
