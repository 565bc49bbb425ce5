"""Sync down: what changed for a canvasser since an opaque cursor.

Every synced row carries `change_stamp`, set by a database trigger on insert and update (see
migration 0003). On PostgreSQL the stamp is the writing transaction's id and the *watermark* is
`pg_snapshot_xmin(pg_current_snapshot())`: every transaction with a smaller id has finished, so
every row stamped below the watermark is visible now; a slow transaction still running has an id
(and so stamps) at or above it. On SQLite (one writer at a time) stamps come from one counter and
the watermark is the counter seen plus one.

A *round* delivers every row stamped at or above the previous round's watermark (`low`), in
phases (assignments, households, removed households, voters, logs, scripts), each paged by (stamp, id). The
watermark taken when the round starts becomes the next round's `low`. A row committed during or
after the round by a transaction the watermark did not cover has a stamp >= that watermark, so
the next round delivers it: rows may arrive twice (clients upsert by id), never not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import Q, QuerySet

from backend.accounts.models import User
from backend.api.errors import ApplicationError
from canvass.models import (
    ConversationLog,
    Household,
    Script,
    TurfAssignment,
    TurfHousehold,
    Voter,
)

CURSOR_SALT = "canvass.sync.cursor"
PHASES = ("assignments", "households", "removed_households", "voters", "logs", "scripts")


class InvalidCursorError(ApplicationError):
    code = "invalid_cursor"


def current_watermark() -> int:
    """Every row with a smaller change_stamp is committed and visible to this connection now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        else:
            cursor.execute("SELECT value + 1 FROM canvass_syncsequence WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@dataclass
class Cursor:
    low: int = 0  # deliver rows stamped >= low
    next_low: int | None = None  # the watermark taken when this round started
    phase: int = 0
    stamp: int = -1  # keyset position inside the phase
    row_id: int = 0

    def dumps(self, user: User) -> str:
        return signing.dumps(
            [user.pk, self.low, self.next_low, self.phase, self.stamp, self.row_id],
            salt=CURSOR_SALT,
            compress=True,
        )

    @classmethod
    def loads(cls, token: str | None, user: User) -> Cursor:
        if not token:
            return cls()
        try:
            user_id, low, next_low, phase, stamp, row_id = signing.loads(token, salt=CURSOR_SALT)
        except (signing.BadSignature, ValueError, TypeError):
            raise InvalidCursorError(
                "This cursor is not valid; start again without one.",
                fields={"cursor": ["Not a cursor from this server."]},
            ) from None
        if user_id != user.pk or not 0 <= phase < len(PHASES):
            raise InvalidCursorError(
                "This cursor belongs to another session; start again without one.",
                fields={"cursor": ["Not your cursor."]},
            )
        return cls(low, next_low, phase, stamp, row_id)


@dataclass
class PullPage:
    cursor: str
    has_more: bool
    sections: dict[str, list[dict[str, Any]]]


def _after(queryset: QuerySet[Any], stamp_field: str, cursor: Cursor) -> QuerySet[Any]:
    if cursor.stamp < 0:
        return queryset
    return queryset.filter(
        Q(**{f"{stamp_field}__gt": cursor.stamp})
        | Q(**{stamp_field: cursor.stamp, "id__gt": cursor.row_id})
    )


def _assignments(user: User, low: int, new_turfs: set[int], open_turfs: set[int]) -> Any:
    def fetch(cursor: Cursor, limit: int) -> list[tuple[int, int, dict[str, Any]]]:
        rows = _after(
            TurfAssignment.objects.filter(canvasser=user, change_stamp__gte=low).select_related(
                "turf"
            ),
            "change_stamp",
            cursor,
        ).order_by("change_stamp", "id")[:limit]
        out = []
        for a in rows:
            removed = a.unassigned_at is not None and a.turf_id not in open_turfs
            item: dict[str, Any] = {"turf": a.turf_id, "removed": removed}
            if not removed:
                item.update(name=a.turf.name, status=a.turf.status, assigned_at=a.assigned_at)
            out.append((a.change_stamp, a.pk, item))
        return out

    return fetch


def _households(user: User, low: int, new_turfs: set[int], open_turfs: set[int]) -> Any:
    def fetch(cursor: Cursor, limit: int) -> list[tuple[int, int, dict[str, Any]]]:
        stops = TurfHousehold.objects.filter(active=True, turf_id__in=open_turfs)
        queryset = (
            Household.objects.filter(
                Q(change_stamp__gte=low)
                | Q(
                    turf_stops__in=stops.filter(Q(change_stamp__gte=low) | Q(turf_id__in=new_turfs))
                )
            )
            .filter(turf_stops__in=stops)
            .distinct()
        )
        rows = list(_after(queryset, "change_stamp", cursor).order_by("change_stamp", "id")[:limit])
        positions = {
            s.household_id: (s.turf_id, s.position)
            for s in stops.filter(household_id__in=[h.pk for h in rows])
        }
        return [
            (
                h.change_stamp,
                h.pk,
                {
                    "id": h.pk,
                    "turf": positions.get(h.pk, (None, None))[0],
                    "position": positions.get(h.pk, (None, None))[1],
                    "street": h.street,
                    "unit": h.unit,
                    "city": h.city,
                    "state": h.state,
                    "zip_code": h.zip_code,
                    "latitude": h.latitude,
                    "longitude": h.longitude,
                    "do_not_knock": h.do_not_knock,
                    "moved": h.moved,
                    "deceased": h.deceased,
                },
            )
            for h in rows
        ]

    return fetch


def _removed_households(user: User, low: int, new_turfs: set[int], open_turfs: set[int]) -> Any:
    """Doors taken out of a turf that is still assigned (re-cut, or the turf completed)."""

    def fetch(cursor: Cursor, limit: int) -> list[tuple[int, int, dict[str, Any]]]:
        queryset = TurfHousehold.objects.filter(
            turf_id__in=open_turfs, active=False, change_stamp__gte=low
        )
        rows = (
            _after(queryset, "change_stamp", cursor)
            .order_by("change_stamp", "id")
            .only("id", "turf_id", "household_id", "change_stamp")[:limit]
        )
        return [
            (s.change_stamp, s.pk, {"household": s.household_id, "turf": s.turf_id}) for s in rows
        ]

    return fetch


def _voters(user: User, low: int, new_turfs: set[int], open_turfs: set[int]) -> Any:
    from canvass.api.serializers import age_band

    def fetch(cursor: Cursor, limit: int) -> list[tuple[int, int, dict[str, Any]]]:
        stops = TurfHousehold.objects.filter(active=True, turf_id__in=open_turfs)
        fresh_stops = stops.filter(Q(change_stamp__gte=low) | Q(turf_id__in=new_turfs))
        queryset = Voter.objects.filter(household__turf_stops__in=stops).filter(
            Q(change_stamp__gte=low) | Q(household__turf_stops__in=fresh_stops)
        )
        rows = (
            _after(queryset.distinct(), "change_stamp", cursor)
            .order_by("change_stamp", "id")
            .only(
                "id",
                "household_id",
                "first_name",
                "last_name",
                "birth_year",
                "language",
                "change_stamp",
            )[:limit]
        )
        return [
            (
                v.change_stamp,
                v.pk,
                {
                    "id": v.pk,
                    "household": v.household_id,
                    "first_name": v.first_name,
                    "last_name": v.last_name,
                    "age_band": age_band(v.birth_year),
                    "language": v.language,
                },
            )
            for v in rows
        ]

    return fetch


def _logs(user: User, low: int, new_turfs: set[int], open_turfs: set[int]) -> Any:
    def fetch(cursor: Cursor, limit: int) -> list[tuple[int, int, dict[str, Any]]]:
        queryset = ConversationLog.objects.filter(turf_id__in=open_turfs).filter(
            Q(change_stamp__gte=low) | Q(turf_id__in=new_turfs)
        )
        rows = (
            _after(queryset, "change_stamp", cursor)
            .order_by("change_stamp", "id")
            .only(
                "id",
                "client_uuid",
                "canvasser_id",
                "household_id",
                "voter_id",
                "turf_id",
                "result",
                "do_not_knock",
                "follow_up_needed",
                "contacted_at",
                "received_at",
                "deleted_at",
                "change_stamp",
            )[:limit]
        )
        return [
            (
                log.change_stamp,
                log.pk,
                {
                    "id": log.pk,
                    "client_uuid": str(log.client_uuid),
                    "mine": log.canvasser_id == user.pk,
                    "household": log.household_id,
                    "voter": log.voter_id,
                    "turf": log.turf_id,
                    "result": log.result,
                    "do_not_knock": log.do_not_knock,
                    "follow_up_needed": log.follow_up_needed,
                    "contacted_at": log.contacted_at,
                    "received_at": log.received_at,
                    "deleted": log.deleted_at is not None,
                },
            )
            for log in rows
        ]

    return fetch


def active_script_ids(turf_ids: set[int]) -> dict[int, int | None]:
    """turf id -> its active script (the turf's own, else the newest default)."""
    from canvass.models import Turf

    scripts: dict[int, int | None] = dict(
        Turf.objects.filter(pk__in=turf_ids).values_list("id", "script_id")
    )
    if any(v is None for v in scripts.values()):
        default = (
            Script.objects.filter(is_default=True)
            .order_by("-created_at", "-id")
            .values_list("id", flat=True)
            .first()
        )
        scripts = {k: v if v is not None else default for k, v in scripts.items()}
    return scripts


def script_as_dict(script: Script) -> dict[str, Any]:
    return {
        "id": script.pk,
        "name": script.name,
        "questions": [
            {
                "code": q.code,
                "text": q.text,
                "kind": q.kind,
                "position": q.position,
                "choices": q.choices,
                "scale_min": q.scale_min,
                "scale_max": q.scale_max,
            }
            for q in script.questions.all()
        ],
    }


def _scripts(user: User, low: int, new_turfs: set[int], open_turfs: set[int]) -> Any:
    def fetch(cursor: Cursor, limit: int) -> list[tuple[int, int, dict[str, Any]]]:
        by_turf = active_script_ids(open_turfs)
        ids = {s for s in by_turf.values() if s is not None}
        fresh = {s for t, s in by_turf.items() if s is not None and t in new_turfs}
        queryset = Script.objects.filter(pk__in=ids).filter(
            Q(change_stamp__gte=low) | Q(pk__in=fresh)
        )
        rows = (
            _after(queryset, "change_stamp", cursor)
            .order_by("change_stamp", "id")
            .prefetch_related("questions")[:limit]
        )
        out = []
        for script in rows:
            item = script_as_dict(script)
            item["turfs"] = sorted(t for t, s in by_turf.items() if s == script.pk)
            out.append((script.change_stamp, script.pk, item))
        return out

    return fetch


FETCHERS: tuple[Callable[..., Any], ...] = (
    _assignments,
    _households,
    _removed_households,
    _voters,
    _logs,
    _scripts,
)


def sync_pull(*, user: User, cursor_token: str | None, limit: int | None = None) -> PullPage:
    """One page of changes for the canvasser since `cursor_token` (None: everything).

    Pages until `has_more` is false; keep the last cursor for the next pull. The page holds at
    most `limit` rows in all (SYNC_PULL_PAGE_SIZE by default).
    """
    cursor = Cursor.loads(cursor_token, user)
    limit = min(limit or settings.SYNC_PULL_PAGE_SIZE, settings.SYNC_PULL_PAGE_SIZE)
    if cursor.next_low is None:
        # The watermark comes first: everything below it is visible to the reads that follow.
        cursor.next_low = current_watermark()
    low = cursor.low
    open_turfs = set(
        TurfAssignment.objects.filter(canvasser=user, unassigned_at__isnull=True).values_list(
            "turf_id", flat=True
        )
    )
    new_turfs = set(
        TurfAssignment.objects.filter(
            canvasser=user, unassigned_at__isnull=True, change_stamp__gte=low
        ).values_list("turf_id", flat=True)
    )
    sections: dict[str, list[dict[str, Any]]] = {name: [] for name in PHASES}
    room = limit
    while cursor.phase < len(PHASES) and room > 0:
        fetch = FETCHERS[cursor.phase](user, low, new_turfs, open_turfs)
        rows = fetch(cursor, room)
        sections[PHASES[cursor.phase]].extend(item for _, _, item in rows)
        room -= len(rows)
        if room > 0:
            # The phase is exhausted: the next one starts from its beginning.
            cursor.phase += 1
            cursor.stamp, cursor.row_id = -1, 0
        else:
            cursor.stamp, cursor.row_id = rows[-1][0], rows[-1][1]
    if cursor.phase >= len(PHASES):
        done = Cursor(low=cursor.next_low or 0)
        return PullPage(cursor=done.dumps(user), has_more=False, sections=sections)
    return PullPage(cursor=cursor.dumps(user), has_more=True, sections=sections)
