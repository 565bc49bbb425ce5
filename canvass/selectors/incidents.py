"""Incident reads, scoped to the requesting user: organizers see every incident, field leads
those that paused a turf of their teams."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import Role, User
from backend.accounts.selectors import teams_for_user
from canvass.models import Incident, Turf


def incidents_for_user(*, user: User, active: bool | None = None) -> QuerySet[Incident]:
    """Incidents the user may see, newest first, with their turf links and people."""
    queryset = Incident.objects.select_related("declared_by", "lifted_by").prefetch_related(
        "incident_turfs"
    )
    if user.role == Role.FIELD_LEAD:
        queryset = queryset.filter(
            pk__in=Incident.objects.filter(
                incident_turfs__turf__team__in=teams_for_user(user=user)
            ).values("pk")
        )
    elif user.role != Role.ORGANIZER:
        return Incident.objects.none()
    if active is not None:
        queryset = queryset.filter(lifted_at__isnull=active)
    return queryset.order_by("-declared_at", "-id")


def incident_visible_turfs(*, user: User) -> set[int] | None:
    """The turf ids an incident may show this user (None: all, for organizers)."""
    if user.role == Role.ORGANIZER:
        return None
    return set(Turf.objects.filter(team__in=teams_for_user(user=user)).values_list("id", flat=True))
