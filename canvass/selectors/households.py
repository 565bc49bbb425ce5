"""Household (door) reads, already scoped to the requesting user: the list, the doors a user may
place by hand, and whether a door is in one of the user's teams' turf."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from backend.accounts.models import Membership, Role, User
from backend.geo.counties import canonical_county
from canvass.models import Household, TurfHousehold, Voter


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
