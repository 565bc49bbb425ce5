"""Field safety reads, scoped to the requesting user: a canvasser sees their own sessions; field
leads see the sessions on their teams' turf and organizers every session. Only the latter two
ever see a location, and only while the session is open (ended sessions hold none)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from backend.accounts.models import Membership, Role, Team, User
from canvass.models import (
    FieldSession,
    FieldSessionStatus,
    SafetyEscalation,
    SafetyPin,
    TeamSafetySettings,
)


def team_checkin_interval(*, team_id: int) -> int:
    """The team's check-in interval in minutes (its own, or SAFETY_CHECKIN_INTERVAL_MINUTES)."""
    own = (
        TeamSafetySettings.objects.filter(team_id=team_id)
        .values_list("checkin_interval_minutes", flat=True)
        .first()
    )
    return own if own is not None else settings.SAFETY_CHECKIN_INTERVAL_MINUTES


def _sessions() -> QuerySet[FieldSession]:
    return FieldSession.objects.select_related("turf", "canvasser").prefetch_related(
        Prefetch(
            "escalations",
            queryset=SafetyEscalation.objects.filter(resolved_at__isnull=True),
            to_attr="open_escalations",
        )
    )


def sessions_watched_by(*, user: User) -> QuerySet[FieldSession]:
    """Sessions the user watches as a field lead (their teams' turf) or organizer (all), never
    their own (a field lead walking turf is a canvasser there: their phone shows no alert)."""
    queryset = _sessions().exclude(canvasser=user)
    if user.role == Role.ORGANIZER:
        return queryset
    if user.role == Role.FIELD_LEAD:
        return queryset.filter(
            turf__team_id__in=Membership.objects.filter(user=user).values("team_id")
        )
    return queryset.none()


def open_sessions_watched_by(*, user: User) -> QuerySet[FieldSession]:
    return sessions_watched_by(user=user).filter(status=FieldSessionStatus.OPEN)


def sessions_visible_to(*, user: User) -> QuerySet[FieldSession]:
    """One's own sessions, plus those one watches."""
    if user.role in (Role.ORGANIZER, Role.FIELD_LEAD):
        return sessions_watched_by(user=user) | _sessions().filter(canvasser=user)
    return _sessions().filter(canvasser=user)


def own_sessions(*, user: User) -> QuerySet[FieldSession]:
    return _sessions().filter(canvasser=user)


def watched_team_ids(*, user: User) -> set[int] | None:
    """The teams whose sessions' locations the user may see: None for all (organizers)."""
    if user.role == Role.ORGANIZER:
        return None
    if user.role == Role.FIELD_LEAD:
        return set(Membership.objects.filter(user=user).values_list("team_id", flat=True))
    return set()


def may_see_location(*, user: User, session: FieldSession, team_ids: set[int] | None) -> bool:
    """Field leads of the turf's team and organizers, never the canvasser themself. `team_ids`:
    `watched_team_ids(user=user)`, asked once by the caller (None: every team)."""
    if session.canvasser_id == user.pk:
        return False
    return team_ids is None or session.turf.team_id in team_ids


def teams_managed_for_safety(*, user: User) -> QuerySet[Team]:
    """Teams whose check-in interval the user may read and set."""
    if user.role == Role.ORGANIZER:
        return Team.objects.all()
    if user.role == Role.FIELD_LEAD:
        return Team.objects.filter(pk__in=Membership.objects.filter(user=user).values("team_id"))
    return Team.objects.none()


def team_safety_settings(*, team: Team) -> dict[str, object]:
    own = TeamSafetySettings.objects.filter(team=team).first()
    return {
        "team": team.pk,
        "checkin_interval_minutes": team_checkin_interval(team_id=team.pk),
        "is_default": own is None,
    }


def safety_pin_state(*, user: User) -> dict[str, bool]:
    pins = SafetyPin.objects.filter(user=user).first()
    return {
        "duress_pin_set": pins is not None,
        "all_clear_pin_set": pins is not None and bool(pins.all_clear_pin_hash),
    }
