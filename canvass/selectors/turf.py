"""Canvass reads, already scoped to the requesting user."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from backend.accounts.models import Membership, Role, User
from backend.geo.counties import canonical_county
from canvass.models import (
    Household,
    ImportJob,
    Precinct,
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
    """Turf the user may change (organizers: all; field leads: their teams'; others: none)."""
    if user.role == Role.ORGANIZER:
        return _with_counts(Turf.objects.select_related("team", "precinct"))
    if user.role == Role.FIELD_LEAD:
        return _with_counts(
            Turf.objects.select_related("team", "precinct").filter(team__memberships__user=user)
        )
    return Turf.objects.none()


def assigned_turfs_for_canvasser(*, user: User) -> QuerySet[Turf]:
    """The canvasser's currently assigned turf with progress counts."""
    return _with_counts(
        Turf.objects.select_related("team", "precinct").filter(_open_assignment(user))
    ).order_by("name", "id")


def latest_results_for_households(*, household_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Latest counted canvass result per household (result, do_not_knock, follow_up_needed,
    contacted_at), for walk lists: one query."""
    from canvass.selectors_logs import latest_results_for_households as latest

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


def households_for_user(
    *,
    user: User,
    precinct_id: int | None = None,
    geocode_status: str | None = None,
    in_active_turf: bool | None = None,
    county: str | None = None,
) -> QuerySet[Household]:
    """Households (doors) for field leads and organizers, with their voter count; canvassers
    get none (they see doors only through their walk lists).

    Field leads see the doors of their teams' active turf and the doors in no active turf (the
    pool every team cuts from), never a door in another team's active turf: this is the one
    scope for the list, its filters, its count and every route on one door."""
    if user.role not in (Role.ORGANIZER, Role.FIELD_LEAD):
        return Household.objects.none()
    voters = (
        Voter.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("id"))
        .values("n")
    )
    queryset = Household.objects.select_related("precinct").annotate(
        voter_count=Coalesce(Subquery(voters, output_field=IntegerField()), 0),
        in_active_turf=Exists(TurfHousehold.objects.filter(household=OuterRef("pk"), active=True)),
    )
    if user.role == Role.FIELD_LEAD:
        queryset = queryset.filter(_door_of_own_team_or_free(user))
    if precinct_id is not None:
        queryset = queryset.filter(precinct_id=precinct_id)
    if geocode_status:
        queryset = queryset.filter(geocode_status=geocode_status)
    if county:
        # Counties are stored canonically, so any spelling of one finds it.
        queryset = queryset.filter(county=canonical_county(county))
    if in_active_turf is not None:
        queryset = queryset.filter(in_active_turf=in_active_turf)
    return queryset.order_by("id")


def _door_of_own_team_or_free(user: User) -> Q:
    # EXISTS rather than a join: a door must match once, however many turfs it was in.
    active_stops = TurfHousehold.objects.filter(household=OuterRef("pk"), active=True)
    return ~Exists(active_stops) | Exists(
        active_stops.filter(turf__team__in=Membership.objects.filter(user=user).values("team_id"))
    )


def household_in_team_turf(*, user: User, household: Household) -> bool:
    """Whether the door is (or was) in a turf of one of the user's teams (organizers: any).
    A field lead may see a door of the free pool but changes only doors of their teams."""
    if user.role == Role.ORGANIZER:
        return True
    return TurfHousehold.objects.filter(
        household=household,
        turf__team__in=Membership.objects.filter(user=user).values("team_id"),
    ).exists()


def precincts_list(*, county: str | None = None) -> QuerySet[Precinct]:
    """Precincts (without their boundaries), optionally of one county matched loosely."""
    from canvass.geometry import match_key

    queryset = Precinct.objects.defer("boundary").order_by("county", "name")
    if county:
        queryset = queryset.filter(county_key=match_key(county))
    return queryset


def import_jobs_for_user(*, user: User) -> QuerySet[ImportJob]:
    """Import jobs the user may follow: organizers all; field leads their teams' and their own."""
    if user.role == Role.ORGANIZER:
        return ImportJob.objects.all()
    if user.role == Role.FIELD_LEAD:
        return ImportJob.objects.filter(
            Q(team__memberships__user=user) | Q(team__isnull=True, created_by=user)
        ).distinct()
    return ImportJob.objects.none()


def households_placeable_by(*, user: User) -> QuerySet[Household]:
    """Doors a user may place by hand: organizers any; field leads any not in an active turf
    of a team they are not in."""
    if user.role == Role.ORGANIZER:
        return Household.objects.all()
    if user.role == Role.FIELD_LEAD:
        foreign = TurfHousehold.objects.filter(household=OuterRef("pk"), active=True).exclude(
            turf__team__memberships__user=user
        )
        return Household.objects.exclude(Exists(foreign))
    return Household.objects.none()
