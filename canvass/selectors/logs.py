"""Reads on conversation logs, scoped to the user: who sees which log, the review queue, one
log with its history, and the latest result per door. Counts leave out excluded and deleted
logs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from backend.accounts.models import Role, User
from backend.errors import PermissionDeniedError
from canvass.models import ConversationLog, Household, LogReview, LogRevision
from canvass.selectors.households import household_in_team_turf, households_for_user


def logs_for_user(*, user: User) -> QuerySet[ConversationLog]:
    """Organizers: every log; field leads: logs on their teams' turf; canvassers: their own."""
    queryset = ConversationLog.objects.select_related("turf", "canvasser", "household")
    if user.role == Role.ORGANIZER:
        return queryset
    if user.role == Role.FIELD_LEAD:
        return queryset.filter(turf__team__memberships__user=user)
    return queryset.filter(canvasser=user)


def counted(queryset: QuerySet[ConversationLog]) -> QuerySet[ConversationLog]:
    return queryset.filter(excluded=False, deleted_at__isnull=True)


FLAGGED = Q(flag_distance=True) | Q(flag_pace=True) | Q(flag_unverified=True)


def review_queue(*, user: User, include_cleared: bool = False) -> QuerySet[ConversationLog]:
    """Flagged logs waiting for review (field leads: their teams'), oldest receipt first."""
    if user.role not in (Role.ORGANIZER, Role.FIELD_LEAD):
        return ConversationLog.objects.none()
    queryset = logs_for_user(user=user).filter(FLAGGED, deleted_at__isnull=True)
    if not include_cleared:
        queryset = queryset.filter(flag_cleared=False)
    return queryset.order_by("received_at", "id")


def latest_results_for_households(*, household_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The latest counted result per door (by server receipt), in one query."""
    if not household_ids:
        return {}
    latest: dict[int, dict[str, Any]] = {}
    rows = (
        counted(ConversationLog.objects.filter(household_id__in=household_ids))
        .order_by("household_id", "-received_at", "-id")
        .values_list("household_id", "result", "do_not_knock", "follow_up_needed", "contacted_at")
    )
    for household_id, result, do_not_knock, follow_up, contacted_at in rows:
        if household_id not in latest:
            latest[household_id] = {
                "result": result,
                "do_not_knock": do_not_knock,
                "follow_up_needed": follow_up,
                "contacted_at": contacted_at.isoformat(),
            }
    return latest


def own_logs(*, user: User) -> QuerySet[ConversationLog]:
    """The canvasser's own logs (the ones they may correct within the edit window)."""
    return ConversationLog.objects.filter(canvasser=user)


def log_history(*, log: ConversationLog) -> dict[str, Any]:
    """The log with its previous versions and review actions (who, when, what)."""
    revisions: QuerySet[LogRevision] = log.revisions.select_related("changed_by")
    reviews: QuerySet[LogReview] = log.reviews.select_related("actor")
    return {"log": log, "revisions": revisions, "reviews": reviews}


def household_for_flags_clear(*, user: User, pk: int) -> Household:
    """The door whose safety flags the user may clear: one they may see (else 404) in turf of a
    team they lead (else 403: the door is visible, as part of the free pool, so a 403 tells
    nothing new; its flags came from another team's logs)."""
    household = get_object_or_404(households_for_user(user=user), pk=pk)
    if not household_in_team_turf(user=user, household=household):
        raise PermissionDeniedError(
            "Only field leads of a team whose turf held this door may clear its flags."
        )
    return household
