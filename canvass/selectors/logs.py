"""Reads on conversation logs, scoped to the user: review queue, progress, reports, exports,
readiness and volunteer leads. Counts leave out excluded and deleted logs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from backend.accounts.models import Membership, Role, User
from canvass.models import ConversationLog, DeviceSync, Result, Turf, TurfHousehold


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


def turf_progress(*, turf: Turf) -> dict[str, Any]:
    """Doors total, knocked, contacted, support 1-5, pledges and completion of one turf."""
    total = TurfHousehold.objects.filter(turf=turf, active=True).count()
    logs = counted(ConversationLog.objects.filter(turf=turf))
    doors = logs.aggregate(
        knocked=Count("household", distinct=True),
        contacted=Count("household", distinct=True, filter=Q(result=Result.CONTACTED)),
        logs=Count("id"),
    )
    support = dict(
        logs.filter(support_level__isnull=False)
        .values_list("support_level")
        .annotate(n=Count("id"))
        .values_list("support_level", "n")
    )
    pledges = dict(
        logs.exclude(pledge="")
        .values_list("pledge")
        .annotate(n=Count("id"))
        .values_list("pledge", "n")
    )
    return {
        "turf": turf.pk,
        "doors_total": total,
        "doors_knocked": doors["knocked"],
        "doors_contacted": doors["contacted"],
        "logs": doors["logs"],
        "support": {str(level): support.get(level, 0) for level in range(1, 6)},
        "pledges": {key: pledges.get(key, 0) for key in ("yes", "no", "undecided")},
        "completion_percent": round(100.0 * doors["knocked"] / total, 1) if total else 0.0,
    }


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def canvasser_daily_report(
    *, user: User, date_from: date | None = None, date_to: date | None = None
) -> list[dict[str, Any]]:
    """Per canvasser per day (in TIME_ZONE, by the device's contact time): doors, contacts,
    contact rate and flagged logs. Field leads: their teams' turf."""
    logs = counted(logs_for_user(user=user))
    if date_from:
        logs = logs.filter(contacted_at__gte=datetime.combine(date_from, time.min, tzinfo=_zone()))
    if date_to and date_to < date.max:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=_zone())
        logs = logs.filter(contacted_at__lt=end)
    rows = (
        logs.annotate(day=TruncDate("contacted_at", tzinfo=_zone()))
        .values("canvasser_id", "canvasser__username", "day")
        .annotate(
            doors=Count("household", distinct=True),
            logs=Count("id"),
            contacts=Count("id", filter=Q(result=Result.CONTACTED)),
            flagged_logs=Count("id", filter=FLAGGED & Q(flag_cleared=False)),
        )
        .order_by("day", "canvasser__username")
    )
    return [
        {
            "canvasser": {"id": r["canvasser_id"], "username": r["canvasser__username"]},
            "day": r["day"],
            "doors": r["doors"],
            "logs": r["logs"],
            "contacts": r["contacts"],
            "contact_rate": round(r["contacts"] / r["logs"], 3) if r["logs"] else 0.0,
            "flagged": r["flagged_logs"],
        }
        for r in rows
    ]


def precinct_summary() -> list[dict[str, Any]]:
    """Organizers: doors knocked, contacts, support and pledges per precinct."""
    rows = (
        counted(ConversationLog.objects.all())
        .values(
            "household__precinct_id", "household__precinct__county", "household__precinct__name"
        )
        .annotate(
            doors_knocked=Count("household", distinct=True),
            contacts=Count("id", filter=Q(result=Result.CONTACTED)),
            supporters=Count("id", filter=Q(support_level__lte=2)),
            pledged=Count("id", filter=Q(pledge="yes")),
        )
        .order_by("household__precinct__county", "household__precinct__name")
    )
    return [
        {
            "precinct": r["household__precinct_id"],
            "county": r["household__precinct__county"] or "",
            "name": r["household__precinct__name"] or "",
            "doors_knocked": r["doors_knocked"],
            "contacts": r["contacts"],
            "supporters": r["supporters"],
            "pledged": r["pledged"],
        }
        for r in rows
    ]


EXPORT_COLUMNS = [
    "log_id",
    "client_uuid",
    "received_at",
    "contacted_at",
    "canvasser_id",
    "canvasser",
    "team",
    "turf_id",
    "turf",
    "household_id",
    "precinct_id",
    "voter_id",
    "result",
    "do_not_knock",
    "support_level",
    "pledge",
    "will_caucus",
    "wants_to_volunteer",
    "volunteer_consent",
    "follow_up_needed",
    "flags",
    "flag_cleared",
    "excluded",
    "deleted",
    "distance_m",
    "answers",
]


def export_rows(*, user: User) -> tuple[int, Iterator[list[Any]]]:
    """(row count, rows) of the logs the user may export, in EXPORT_COLUMNS order. Notes and
    device coordinates are never exported."""
    import json

    queryset = (
        logs_for_user(user=user)
        .select_related("turf__team", "canvasser", "household")
        .order_by("received_at", "id")
    )

    def rows() -> Iterator[list[Any]]:
        for log in queryset.iterator(chunk_size=2000):
            yield [
                log.pk,
                log.client_uuid,
                log.received_at.isoformat(),
                log.contacted_at.isoformat(),
                log.canvasser_id,
                log.canvasser.username,
                log.turf.team.name,
                log.turf_id,
                log.turf.name,
                log.household_id,
                log.household.precinct_id or "",
                log.voter_id or "",
                log.result,
                int(log.do_not_knock),
                log.support_level or "",
                log.pledge,
                log.will_caucus,
                int(log.wants_to_volunteer),
                int(log.volunteer_consent),
                int(log.follow_up_needed),
                ";".join(log.flags),
                int(log.flag_cleared),
                int(log.excluded),
                int(log.deleted_at is not None),
                log.distance_m if log.distance_m is not None else "",
                json.dumps(log.answers, sort_keys=True) if log.answers else "",
            ]

    return queryset.count(), rows()


def readiness(*, user: User) -> list[dict[str, Any]]:
    """Field leads: every canvasser of their teams (organizers: all) with their devices' last
    sync, how long ago, and the logs the devices still hold."""
    canvassers = User.objects.filter(role=Role.CANVASSER, is_active=True)
    if user.role != Role.ORGANIZER:
        team_ids = Membership.objects.filter(user=user).values("team_id")
        canvassers = canvassers.filter(memberships__team_id__in=team_ids)
    canvassers = canvassers.distinct().order_by("username")
    devices: dict[int, list[DeviceSync]] = {}
    for device in DeviceSync.objects.filter(canvasser__in=canvassers).order_by("device_id"):
        devices.setdefault(device.canvasser_id, []).append(device)
    now = timezone.now()
    out = []
    for canvasser in canvassers:
        mine = devices.get(canvasser.pk, [])
        last = max((d.last_sync_at for d in mine if d.last_sync_at), default=None)
        pending = sum(d.pending_count for d in mine)
        out.append(
            {
                "canvasser": {"id": canvasser.pk, "username": canvasser.username},
                "last_sync_at": last,
                "minutes_since_sync": int((now - last).total_seconds() // 60) if last else None,
                "pending_logs": pending,
                "ready": last is not None and pending == 0,
                "devices": [
                    {
                        "device_id": d.device_id,
                        "app_version": d.app_version,
                        "last_push_at": d.last_push_at,
                        "last_pull_at": d.last_pull_at,
                        "pending_count": d.pending_count,
                    }
                    for d in mine
                ],
            }
        )
    return out


def volunteer_leads(*, user: User) -> QuerySet[ConversationLog]:
    """Organizers: contacted people who want to volunteer and consented at the door."""
    if user.role != Role.ORGANIZER:
        return ConversationLog.objects.none()
    return (
        counted(ConversationLog.objects.all())
        .filter(result=Result.CONTACTED, wants_to_volunteer=True, volunteer_consent=True)
        .select_related("voter", "household", "canvasser")
        .order_by("-received_at", "-id")
    )
