"""Reads for accounts: which teams a user leads or belongs to."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import Membership, Role, Team, User


def teams_for_user(*, user: User) -> QuerySet[Team]:
    """Teams the user may act for: all teams for organizers, their own teams otherwise."""
    if user.role == Role.ORGANIZER:
        return Team.objects.all()
    # A subquery, not a join: used as a prefetch of another person's teams, a join on
    # memberships would be reused by the prefetch's own filter and match only `user`'s rows.
    return Team.objects.filter(pk__in=Membership.objects.filter(user=user).values("team_id"))


def team_ids_for_user(*, user: User) -> list[int]:
    return list(teams_for_user(user=user).values_list("id", flat=True))


def users_for_user(*, user: User) -> QuerySet[User]:
    """People the user may see: everyone for organizers, their teams' members for field leads."""
    if user.role == Role.ORGANIZER:
        return User.objects.all()
    if user.role == Role.FIELD_LEAD:
        return User.objects.filter(memberships__team__memberships__user=user).distinct()
    return User.objects.filter(pk=user.pk)


def user_with_teams(*, user: User) -> User:
    """The user afresh with their teams prefetched (the "who am I" answer)."""
    return User.objects.prefetch_related("teams").get(pk=user.pk)


def user_by_id(*, user_id: int) -> User | None:
    """Any user by id (organizer tools name people by id), or None."""
    return User.objects.filter(pk=user_id).first()
