"""Reports on conversation logs, scoped to the user: turf progress, canvassers per day,
precinct summaries, the CSV export and volunteer leads. Counts leave out excluded and deleted
logs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Aggregate, Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.expressions import Expression
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import Exact

from backend.accounts.models import Role, User
from backend.db.routers import lag_tolerant_reads, replica_alias
from canvass.models import (
    ConversationLog,
    Plank,
    PlankStance,
    Question,
    QuestionKind,
    Result,
    Turf,
    TurfHousehold,
)
from canvass.selectors.languages import turf_door_languages
from canvass.selectors.logs import FLAGGED, counted, logs_for_user
from canvass.selectors.platform import active_planks

# The pledge question is a question on all four planks at once.
PLEDGE_AS_STANCE = {"yes": PlankStance.SUPPORT, "no": PlankStance.AGAINST, "undecided": "undecided"}


def _stance(plank: Plank, questions: list[tuple[int, int, str]]) -> Expression:
    """A log's stance on `plank`: its answer to the plank's question in the log's script, else
    what its pledge answer says for every plank, else null."""
    pledge = Case(
        *[
            When(pledge=answer, then=Value(str(stance)))
            for answer, stance in PLEDGE_AS_STANCE.items()
        ],
        default=Value(None),
        output_field=CharField(),
    )
    asked = [
        When(script_id=script_id, then=KeyTextTransform(code, "answers"))
        for plank_id, script_id, code in questions
        if plank_id == plank.pk
    ]
    if not asked:
        return pledge
    return Coalesce(Case(*asked, default=Value(None), output_field=CharField()), pledge)


def plank_aggregates(planks: list[Plank]) -> dict[str, Aggregate]:
    """`plank_<i>_<stance>` -> the count of logs with that stance on the i-th plank."""
    questions = list(
        Question.objects.filter(kind=QuestionKind.PLANK, plank__in=planks).values_list(
            "plank_id", "script_id", "code"
        )
    )
    aggregates: dict[str, Aggregate] = {}
    for index, plank in enumerate(planks):
        stance = _stance(plank, questions)
        for value in PlankStance.values:
            aggregates[f"plank_{index}_{value}"] = Count(
                "id", filter=Exact(stance, Value(value, output_field=CharField()))
            )
    return aggregates


def plank_rows(row: Mapping[str, Any], planks: list[Plank]) -> list[dict[str, Any]]:
    """The counts of `plank_aggregates` as one row per plank, in the platform's order."""
    return [
        {
            "plank": plank.code,
            **{value: row[f"plank_{index}_{value}"] for value in PlankStance.values},
        }
        for index, plank in enumerate(planks)
    ]


@lag_tolerant_reads  # a report may lag (the read replica, if any)
def turf_progress(*, turf: Turf) -> dict[str, Any]:
    """Doors total, knocked, contacted, support 1-5, pledges, support by plank,
    completion and the doors needing each language but English of one turf."""
    total = TurfHousehold.objects.filter(turf=turf, active=True).count()
    logs = counted(ConversationLog.objects.filter(turf=turf))
    planks = active_planks()
    doors = logs.aggregate(
        knocked=Count("household", distinct=True),
        contacted=Count("household", distinct=True, filter=Q(result=Result.CONTACTED)),
        logs=Count("id"),
        **plank_aggregates(planks),
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
        "planks": plank_rows(doors, planks),
        "completion_percent": round(100.0 * doors["knocked"] / total, 1) if total else 0.0,
        "languages": turf_door_languages(turf=turf),
    }


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@lag_tolerant_reads  # a report may lag (the read replica, if any)
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


@lag_tolerant_reads  # a report may lag (the read replica, if any)
def precinct_summary() -> list[dict[str, Any]]:
    """Organizers: doors knocked, contacts, support, pledges and support by plank per
    precinct."""
    planks = active_planks()
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
            **plank_aggregates(planks),
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
            "planks": plank_rows(r, planks),
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
    queryset = (
        logs_for_user(user=user)
        .select_related("turf__team", "canvasser", "household")
        .order_by("received_at", "id")
        .using(replica_alias(user=user))  # an export may lag (streamed after this returns)
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


def precinct_support_counts(*, precinct_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per precinct: doors knocked, contacts, supporters (support 1-2) and pledges (yes), from
    the counted conversation logs at doors in those precincts. One query."""
    rows = (
        counted(ConversationLog.objects.filter(household__precinct_id__in=precinct_ids))
        .values("household__precinct_id")
        .annotate(
            doors_knocked=Count("household", distinct=True),
            contacts=Count("id", filter=Q(result=Result.CONTACTED)),
            supporters=Count("id", filter=Q(support_level__lte=2)),
            pledged=Count("id", filter=Q(pledge="yes")),
        )
        .order_by()
    )
    empty = {"doors_knocked": 0, "contacts": 0, "supporters": 0, "pledged": 0}
    out = {pk: dict(empty) for pk in precinct_ids}
    for r in rows:
        counts: dict[str, Any] = dict(r)
        out[counts["household__precinct_id"]] = {key: int(counts[key]) for key in empty}
    return out
