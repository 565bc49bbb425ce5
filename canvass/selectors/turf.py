"""Turf reads, already scoped to the requesting user: lists, one turf, its walk list and its
assignment history."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from backend.accounts.models import Role, Team, User
from backend.errors import ApplicationError
from canvass.models import (
    Turf,
    TurfAssignment,
    TurfHousehold,
    Voter,
)


def _with_counts(queryset: QuerySet[Turf]) -> QuerySet[Turf]:
    # Subqueries rather than joins so the two counts do not multiply each other.
    doors = (
        TurfHousehold.objects.filter(turf=OuterRef("pk"), active=True)
        .order_by()
        .values("turf")
        .annotate(n=Count("id"))
        .values("n")
    )
    voters = (
        Voter.objects.filter(
            household__turf_stops__turf=OuterRef("pk"), household__turf_stops__active=True
        )
        .order_by()
        .values("household__turf_stops__turf")
        .annotate(n=Count("id"))
        .values("n")
    )
    from canvass.models import ConversationLog

    visited = (
        ConversationLog.objects.filter(turf=OuterRef("pk"), excluded=False, deleted_at__isnull=True)
        .order_by()
        .values("turf")
        .annotate(n=Count("household", distinct=True))
        .values("n")
    )
    return queryset.annotate(
        door_count=Coalesce(Subquery(doors, output_field=IntegerField()), 0),
        voter_count=Coalesce(Subquery(voters, output_field=IntegerField()), 0),
        visited_count=Coalesce(Subquery(visited, output_field=IntegerField()), 0),
    )


def turfs_for_user(*, user: User) -> QuerySet[Turf]:
    """Turf the user may see: organizers all, field leads their teams', canvassers the turf
    they are assigned to now."""
    queryset = Turf.objects.select_related("team", "precinct")
    if user.role == Role.ORGANIZER:
        scoped = queryset
    elif user.role == Role.FIELD_LEAD:
        scoped = queryset.filter(team__memberships__user=user)
    else:
        scoped = queryset.filter(_open_assignment(user))
    return _with_counts(scoped).order_by("name", "id")


def _open_assignment(user: User) -> Q:
    return Q(
        pk__in=TurfAssignment.objects.filter(canvasser=user, unassigned_at__isnull=True).values(
            "turf_id"
        )
    )


def turfs_managed_by(*, user: User) -> QuerySet[Turf]:
    """Turf the user may change (organizers: all; field leads: their teams'; others: none),
    by name."""
    if user.role == Role.ORGANIZER:
        return _with_counts(Turf.objects.select_related("team", "precinct")).order_by("name", "id")
    if user.role == Role.FIELD_LEAD:
        return _with_counts(
            Turf.objects.select_related("team", "precinct").filter(team__memberships__user=user)
        ).order_by("name", "id")
    return Turf.objects.none()


def turfs_managed_by_ids(*, user: User, turf_ids: list[int]) -> list[Turf]:
    """The given turfs the user may change, with their counts, in id order (e.g. just cut)."""
    return list(turfs_managed_by(user=user).filter(pk__in=turf_ids).order_by("id"))


def assigned_turfs_for_canvasser(*, user: User) -> QuerySet[Turf]:
    """The canvasser's currently assigned turf with progress counts."""
    return _with_counts(
        Turf.objects.select_related("team", "precinct").filter(_open_assignment(user))
    ).order_by("name", "id")


def latest_results_for_households(*, household_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Latest counted canvass result per household (result, do_not_knock, follow_up_needed,
    contacted_at), for walk lists: one query."""
    from canvass.selectors.logs import latest_results_for_households as latest

    return latest(household_ids=household_ids)


def turf_walk_list(*, turf: Turf) -> list[TurfHousehold]:
    """The turf's active doors in walking order with their voters: three queries whatever the
    turf's size (stops+households, voters, latest results)."""
    stops = list(
        TurfHousehold.objects.filter(turf=turf, active=True)
        .select_related("household")
        .prefetch_related(
            Prefetch(
                "household__voters",
                queryset=Voter.objects.only(
                    "id",
                    "household_id",
                    "first_name",
                    "last_name",
                    "birth_year",
                    "party",
                    "language",
                ).order_by("last_name", "first_name", "id"),
            )
        )
        .order_by("position")
    )
    results = latest_results_for_households(household_ids=[s.household_id for s in stops])
    for stop in stops:
        stop.latest_result = results.get(stop.household_id)  # type: ignore[attr-defined]
    return stops


def turf_assignments(*, turf: Turf) -> QuerySet[TurfAssignment]:
    """Assignment history of a turf, newest first."""
    return TurfAssignment.objects.filter(turf=turf).select_related(
        "canvasser", "assigned_by", "unassigned_by"
    )


def team_by_id(*, team_id: int) -> Team:
    """The team a turf is cut for; an unknown id is a 400 naming the `team` field."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ApplicationError("No such team.", fields={"team": ["No such team."]})
    return team


def canvasser_by_id(*, canvasser_id: int) -> User:
    """The person to assign to a turf; an unknown id is a 400 naming the `canvasser` field (the
    assign service checks the role and team)."""
    canvasser = User.objects.filter(pk=canvasser_id).first()
    if canvasser is None:
        raise ApplicationError("No such user.", fields={"canvasser": ["No such user."]})
    return canvasser


def precincts_covered_by_teams(*, user: User) -> set[int] | None:
    """Precincts the user's teams' turf covers (the turf's precinct, and the precincts of its
    active doors); None for organizers (every precinct), an empty set for others."""
    from canvass.models import Household

    if user.role == Role.ORGANIZER:
        return None
    if user.role != Role.FIELD_LEAD:
        return set()
    turfs = Turf.objects.filter(team__memberships__user=user)
    named = turfs.exclude(precinct__isnull=True).values_list("precinct_id", flat=True)
    doors = (
        Household.objects.filter(turf_stops__turf__in=turfs, turf_stops__active=True)
        .exclude(precinct__isnull=True)
        .values_list("precinct_id", flat=True)
        .distinct()
    )
    return {int(pk) for pk in named} | {int(pk) for pk in doors}


def team_canvassers(*, team: Team) -> QuerySet[User]:
    """The active canvassers of a team: the people its turf may be assigned to, by username."""
    return User.objects.filter(
        role=Role.CANVASSER, is_active=True, memberships__team=team
    ).order_by("username")
