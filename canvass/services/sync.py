"""Sync up: a batch of conversation logs from a phone, each stored exactly once.

This is the one hot path of the API, so it skips per-item DRF serializers and per-row ORM work:
each item is checked by the spec (canvass/contracts.py: shape and the rules between fields),
then the rules that need the database run as one set-based pass over what a few queries loaded
for the whole batch; distances use the great-circle formula, and the batch costs a constant
number of SQL queries whatever its size:

1. stored logs with the batch's UUIDs (duplicates answer with the stored row, whatever they say),
2. the batch's doors that are in turf assigned to the canvasser now (with their coordinates),
3. the named voters, 4. the turfs' scripts and questions,
5. the canvasser's logs around the batch's times (pace flag),
6. one staged INSERT ... ON CONFLICT (client_uuid) DO NOTHING RETURNING for every valid item
   (backend.db.staging: temp table, COPY, insert, empty the temp table; a concurrent push of
   the same UUID waits on the unique index and then finds the row),
7. only when 6 lost a race: the rows that won it,
8. at most three UPDATEs of the doors' safety flags, 9. the device's readiness row.
"""

from __future__ import annotations

import json
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.crypto import EncryptedTextField, encrypt_many
from backend.db import partitions
from backend.db.sql import any_of, as_uuid, fetch_all
from backend.db.staging import columns_of, staged_insert
from backend.errors import ApplicationError
from backend.geo.services import great_circle_m
from canvass.contracts import (
    CheckedLog,
    answers_check,
    batch_check,
    logs_check,
    uuid_or_none,
)
from canvass.errors import BatchTooLargeError
from canvass.models import (
    ConversationLog,
    DeviceSync,
    Household,
    Question,
    Result,
    Script,
    TurfAssignment,
    TurfHousehold,
    Voter,
)
from canvass.notes import rows_split_free_text


@dataclass
class ItemOutcome:
    index: int
    status: str  # created | duplicate | rejected
    client_uuid: str | None = None
    log: dict[str, Any] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "client_uuid": self.client_uuid,
            "status": self.status,
        }
        if self.log is not None:
            out["log"] = self.log
        if self.errors:
            out["errors"] = self.errors
        if self.warnings:
            out["warnings"] = self.warnings
        return out


@dataclass
class BatchResult:
    batch_id: str
    received_at: datetime
    results: list[ItemOutcome]

    def as_dict(self) -> dict[str, Any]:
        counts = {"created": 0, "duplicate": 0, "rejected": 0}
        for outcome in self.results:
            counts[outcome.status] += 1
        return {
            "batch_id": self.batch_id,
            "received_at": self.received_at.isoformat().replace("+00:00", "Z"),
            "counts": counts,
            "results": [r.as_dict() for r in self.results],
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _batch_shape(payload: Any) -> tuple[list[Any], dict[str, Any]]:
    """Whole-request checks (the standard error shape): returns the items and the envelope."""
    if not isinstance(payload, dict):
        raise ApplicationError(
            "Send a JSON object with device_id, batch_id and logs.",
            fields={"non_field_errors": ["Expected an object."]},
        )
    envelope, errors = batch_check(payload)
    if envelope is None:
        raise ApplicationError(next(iter(errors.values()))[0], fields=errors)
    if len(envelope.logs) > settings.SYNC_MAX_BATCH:
        raise BatchTooLargeError(
            f"A batch holds at most {settings.SYNC_MAX_BATCH} logs; split it.",
            fields={"logs": [f"At most {settings.SYNC_MAX_BATCH} items."]},
        )
    return envelope.logs, envelope.model_dump(exclude={"logs"})


@dataclass
class _Context:
    """What the database says about a batch, loaded once for all its items."""

    doors: dict[int, tuple[int, float | None, float | None]]  # household -> turf, lat, lon
    voters: dict[int, int]  # voter -> household
    turf_script: dict[int, int | None]
    questions: dict[int, dict[str, Question]]  # script -> code -> question
    # Doors not in the canvasser's turf now, but in turf assigned to them before (an offline
    # log pushed after the lead unassigned the turf): household -> [(turf, lat, lon, held from,
    # held until or None)]. Filled only when a batch names such a door.
    held: dict[int, list[tuple[int, float | None, float | None, datetime, datetime | None]]] = (
        field(default_factory=dict)
    )
    last_pull_at: datetime | None = None


def _held_door(
    ctx: _Context, household: int, contacted_at: Any
) -> tuple[int, float | None, float | None] | None:
    """The door as the canvasser held it when they logged it (at `contacted_at`) or when they
    last pulled: a log captured offline is kept even if the turf was unassigned since."""
    moments = [m for m in (contacted_at, ctx.last_pull_at) if isinstance(m, datetime)]
    for turf_id, lat, lon, since, until in ctx.held.get(household, ()):
        if any(since <= m and (until is None or m <= until) for m in moments):
            return turf_id, lat, lon
    return None


def _database_rules(checked: CheckedLog, ctx: _Context) -> dict[str, Any] | None:
    """The rules that need the database, on what the batch's queries loaded: the door is in
    turf assigned to the canvasser, the voter lives there, the answers fit the turf's script.
    Returns the row to store, or None when the item has errors."""
    values, errors = checked.values, checked.errors
    household: Any = values.get("household")
    door = None
    if "household" not in errors:
        door = ctx.doors.get(household) or _held_door(ctx, household, values.get("contacted_at"))
        if door is None:
            errors["household"] = ["This door is not in turf assigned to you."]
    voter = values.get("voter")
    if voter is not None and "voter" not in errors and ctx.voters.get(voter) != household:
        errors["voter"] = ["This voter does not live at this door."]
    script_id = ctx.turf_script.get(door[0]) if door else None
    answers = answers_check(checked, ctx.questions.get(script_id) if script_id else None)
    if errors or door is None:
        return None
    return _row(values, door, script_id, answers)


def _row(
    values: dict[str, Any],
    door: tuple[int, float | None, float | None],
    script_id: int | None,
    answers: dict[str, Any],
) -> dict[str, Any]:
    turf_id, door_lat, door_lon = door
    location: dict[str, Any] = values["location"] or {}
    lat, lon, accuracy = (
        location.get("latitude"),
        location.get("longitude"),
        location.get("accuracy_m"),
    )
    distance = None
    flag_distance = False
    if lat is not None and door_lat is not None and door_lon is not None:
        distance = great_circle_m(lat, lon, door_lat, door_lon)  # type: ignore[arg-type]
        allowance = settings.CANVASS_DISTANCE_FLAG_METERS + float(accuracy or 0.0)
        flag_distance = distance > allowance
    # The checked values become the row: the spec fields stored as sent are in it already, and
    # a batch's live containers are what its garbage collections scan.
    row = values
    row |= {
        "household_id": values["household"],
        "voter_id": values["voter"],
        "turf_id": turf_id,
        "script_id": script_id,
        "answers": answers,
        "pledge": values["pledge"] or "",
        "will_caucus": values["will_caucus"] or "",
        "latitude": lat,
        "longitude": lon,
        "accuracy_m": accuracy,
        "distance_m": round(distance, 1) if distance is not None else None,
        "flag_distance": flag_distance,
        "flag_pace": False,
        "flag_unverified": lat is None,
    }
    return row


def _load_context(canvasser: User, items: list[CheckedLog]) -> _Context:
    """Doors, voters, scripts and questions the batch names, in a constant number of queries."""
    household_ids = {i.values["household"] for i in items if "household" not in i.errors}
    voter_ids = {
        i.values["voter"] for i in items if "voter" not in i.errors and i.values.get("voter")
    }
    doors: dict[int, tuple[int, float | None, float | None]] = {}
    turf_script: dict[int, int | None] = {}
    if household_ids:
        in_batch, params = any_of("th.household_id", household_ids, "bigint")
        found = fetch_all(
            # Only our own condition is interpolated; every value is a parameter.
            "SELECT th.household_id, th.turf_id, h.latitude, h.longitude, t.script_id "  # noqa: S608
            "FROM canvass_turfhousehold th "
            "JOIN canvass_household h ON h.id = th.household_id "
            "JOIN canvass_turf t ON t.id = th.turf_id "
            f"WHERE th.active AND {in_batch} AND th.turf_id IN ("
            "  SELECT turf_id FROM canvass_turfassignment"
            "  WHERE canvasser_id = %s AND unassigned_at IS NULL)",
            [*params, canvasser.pk],
        )
        for household_id, turf_id, lat, lon, script_id in found:
            doors[household_id] = (turf_id, lat, lon)
            turf_script[turf_id] = script_id
    voters = (
        dict(Voter.objects.filter(pk__in=voter_ids).values_list("id", "household_id"))
        if voter_ids
        else {}
    )
    held, last_pull_at = _load_held_doors(canvasser, household_ids - doors.keys(), turf_script)
    questions: dict[int, dict[str, Question]] = {}
    if doors or held:
        if any(v is None for v in turf_script.values()):
            default = Script.objects.filter(is_default=True).order_by("-created_at", "-id").first()
            for turf_id, script_id in turf_script.items():
                if script_id is None and default is not None:
                    turf_script[turf_id] = default.pk
        script_ids = {s for s in turf_script.values() if s is not None}
        if script_ids:
            for question in Question.objects.filter(script_id__in=script_ids):
                questions.setdefault(question.script_id, {})[question.code] = question
            for script_id in script_ids:
                questions.setdefault(script_id, {})
    return _Context(doors, voters, turf_script, questions, held, last_pull_at)


def _load_held_doors(
    canvasser: User, missing: set[int], turf_script: dict[int, int | None]
) -> tuple[dict[int, list[Any]], datetime | None]:
    """Doors of the batch outside the canvasser's turf now, in turf they held before, with the
    assignment intervals (three queries, only when a batch names such a door)."""
    held: dict[int, list[Any]] = {}
    if not missing:
        return held, None
    intervals: dict[int, list[tuple[datetime, datetime | None]]] = {}
    for turf_id, since, until in TurfAssignment.objects.filter(
        canvasser=canvasser,
        turf_id__in=TurfHousehold.objects.filter(household_id__in=missing).values("turf_id"),
    ).values_list("turf_id", "assigned_at", "unassigned_at"):
        intervals.setdefault(turf_id, []).append((since, until))
    if not intervals:
        return held, None
    for household_id, turf_id, lat, lon, script_id in TurfHousehold.objects.filter(
        household_id__in=missing, turf_id__in=list(intervals)
    ).values_list(
        "household_id", "turf_id", "household__latitude", "household__longitude", "turf__script_id"
    ):
        turf_script.setdefault(turf_id, script_id)
        for since, until in intervals[turf_id]:
            held.setdefault(household_id, []).append((turf_id, lat, lon, since, until))
    last_pull_at = (
        DeviceSync.objects.filter(canvasser=canvasser, last_pull_at__isnull=False)
        .order_by("-last_pull_at")
        .values_list("last_pull_at", flat=True)
        .first()
    )
    return held, last_pull_at


def _flag_pace(canvasser: User, rows: list[dict[str, Any]]) -> None:
    """Flag a log when the canvasser logged more than CANVASS_MAX_DOORS_PER_HOUR doors in the
    hour up to it (stored logs and this batch together, by device time)."""
    if not rows:
        return
    limit = settings.CANVASS_MAX_DOORS_PER_HOUR
    hour = timedelta(hours=1)
    times = [r["contacted_at"] for r in rows]
    stored = list(
        ConversationLog.objects.filter(
            canvasser=canvasser,
            deleted_at__isnull=True,
            contacted_at__gte=min(times) - hour,
            contacted_at__lte=max(times) + hour,
        ).values_list("contacted_at", flat=True)
    )
    everything = sorted(stored + times)
    for row in rows:
        moment = row["contacted_at"]
        # The hour up to this log (inclusive) holds more than the limit: logging too fast.
        in_hour = bisect_right(everything, moment) - bisect_left(everything, moment - hour)
        if in_hour > limit:
            row["flag_pace"] = True


# The columns a push writes per log: every column of the model but those the server sets for
# the whole batch (INSERT_CONSTANTS), those a review or a correction sets later, and the keys.
SERVER_SET = ("id", "canvasser", "device_id", "batch_id", "received_at", "change_stamp")
LATER = ("flag_cleared", "excluded", "updated_at", "deleted_at")
LOG_FIELDS = tuple(
    f.name
    for f in ConversationLog._meta.concrete_fields
    if f.name not in SERVER_SET and f.name not in LATER
)
ENCRYPTED = frozenset(
    f.name for f in ConversationLog._meta.concrete_fields if isinstance(f, EncryptedTextField)
)
STAGING = "canvass_sync_incoming"


def _insert(
    rows: list[dict[str, Any]], canvasser: User, envelope: dict[str, Any], now: datetime
) -> dict[str, int]:
    """Every valid item in one staged INSERT ... ON CONFLICT (client_uuid) DO NOTHING; returns
    uuid -> id of the rows this statement inserted (a UUID stored meanwhile is not among them)."""
    columns = columns_of(ConversationLog, LOG_FIELDS)
    keys = [f.attname for f in ConversationLog._meta.concrete_fields if f.name in LOG_FIELDS]
    values = [list(row) for row in map(itemgetter(*keys), rows)]
    for position, (key, column) in enumerate(zip(keys, columns, strict=True)):
        if key in ENCRYPTED:
            # Ciphertext for a whole column at once: one key set-up per batch.
            sealed = iter(encrypt_many([v[position] for v in values if v[position]]))
            for v in values:
                v[position] = next(sealed) if v[position] else ""
        elif column.kind == "json":
            for v in values:
                v[position] = "{}" if v[position] == {} else json.dumps(v[position])
    constants = columns_of(
        ConversationLog,
        ("canvasser", "device_id", "batch_id", "received_at", "flag_cleared", "excluded"),
    )
    table = ConversationLog._meta.db_table
    on_conflict = "(client_uuid) DO NOTHING"
    if connection.vendor == "postgresql":
        # Partitioned by month (backend.db.partitions): the UUID's uniqueness lives in the key
        # table, whose trigger skips a duplicate as ON CONFLICT did, until the end of this
        # push's transaction (which inserts no other log; not reset: one query less per push).
        with connection.cursor() as cursor:
            cursor.execute(partitions.skip_duplicates_sql())
        on_conflict = "DO NOTHING"
    inserted = staged_insert(
        target=table,
        staging=STAGING,
        columns=columns,
        rows=values,
        constants=list(
            zip(
                constants,
                [
                    canvasser.pk,
                    envelope["device_id"],
                    uuid.UUID(envelope["batch_id"]),
                    now,
                    False,
                    False,
                ],
                strict=True,
            )
        ),
        # One lock order for every batch: two pushes sharing UUIDs in different orders wait
        # for each other instead of deadlocking.
        order_by="client_uuid",
        on_conflict=on_conflict,
        returning=("client_uuid", "id"),
    )
    return {str(key): pk for key, pk in inserted}


def _log_summary(row: dict[str, Any], log_id: int, received_at: datetime) -> dict[str, Any]:
    return {
        "id": log_id,
        "client_uuid": row["client_uuid"],
        "household": row["household_id"],
        "turf": row["turf_id"],
        "result": row["result"],
        "contacted_at": _iso(row["contacted_at"]),
        "received_at": _iso(received_at),
        "flags": [name for name in ("distance", "pace", "unverified") if row[f"flag_{name}"]],
    }


SUMMARY_FIELDS = (
    "id",
    "client_uuid",
    "canvasser",
    "household",
    "turf",
    "result",
    "contacted_at",
    "received_at",
    "flag_distance",
    "flag_pace",
    "flag_unverified",
)


def _stored_summaries(uuids: list[str]) -> dict[str, tuple[int, dict[str, Any]]]:
    """uuid -> (canvasser id, summary) of stored logs."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    if not uuids:
        return found
    columns = columns_of(ConversationLog, SUMMARY_FIELDS)
    in_batch, params = any_of("client_uuid", uuids, "uuid")
    rows = fetch_all(
        f"SELECT {', '.join(c.name for c in columns)} FROM canvass_conversationlog "  # noqa: S608
        f"WHERE {in_batch}",
        params,
    )
    for pk, key, canvasser_id, household, turf, result, contacted, received, *flags in rows:
        row = {
            "client_uuid": str(as_uuid(key)),
            "household_id": household,
            "turf_id": turf,
            "result": result,
            "contacted_at": _aware(contacted),
            "flag_distance": bool(flags[0]),
            "flag_pace": bool(flags[1]),
            "flag_unverified": bool(flags[2]),
        }
        found[row["client_uuid"]] = (canvasser_id, _log_summary(row, pk, _aware(received)))
    return found


def _aware(value: Any) -> datetime:
    """A timestamp read back by a raw query (SQLite returns text in UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _duplicate(outcome: ItemOutcome, stored: tuple[int, dict[str, Any]], canvasser: User) -> None:
    owner, summary = stored
    if owner == canvasser.pk:
        outcome.status = "duplicate"
        outcome.log = summary
    else:
        # Someone else's UUID (a forged or colliding key): never show their log.
        outcome.status = "rejected"
        outcome.errors = {"client_uuid": ["This UUID is already used by another log."]}


def households_flags_raise(rows: list[dict[str, Any]]) -> None:
    """Raise the doors' safety flags (never lowered here: only field leads clear them)."""
    by_flag = {
        "do_not_knock": {r["household_id"] for r in rows if r["do_not_knock"]},
        "moved": {r["household_id"] for r in rows if r["result"] == Result.MOVED},
        "deceased": {r["household_id"] for r in rows if r["result"] == Result.DECEASED},
    }
    for flag, ids in by_flag.items():
        if ids:
            Household.objects.filter(pk__in=ids).filter(~Q(**{flag: True})).update(**{flag: True})


def device_sync_record(
    *,
    canvasser: User,
    device_id: str,
    app_version: str,
    pending_count: int,
    now: datetime,
    kind: str,
) -> None:
    """Readiness: remember this device's last successful push or pull and its pending logs."""
    stamp = {"last_push_at": now} if kind == "push" else {"last_pull_at": now}
    updated = DeviceSync.objects.filter(canvasser=canvasser, device_id=device_id).update(
        app_version=app_version, pending_count=pending_count, last_sync_at=now, **stamp
    )
    if not updated:
        DeviceSync.objects.bulk_create(
            [
                DeviceSync(
                    canvasser=canvasser,
                    device_id=device_id,
                    app_version=app_version,
                    pending_count=pending_count,
                    last_sync_at=now,
                    **stamp,
                )
            ],
            update_conflicts=True,
            unique_fields=["canvasser", "device_id"],
            update_fields=["app_version", "pending_count", "last_sync_at", *stamp],
        )


def conversation_batch_record(*, actor: User, payload: Any) -> BatchResult:
    """Store a pushed batch: each item is created, a duplicate (its UUID is stored: the stored
    log is answered and nothing changes) or rejected with field errors; valid items land even
    when others are bad. Commits before returning, so an answer always means "stored"."""
    items, envelope = _batch_shape(payload)
    now = timezone.now()
    outcomes = [ItemOutcome(index=i, status="rejected") for i in range(len(items))]
    uuids: list[str | None] = []
    for outcome, item in zip(outcomes, items, strict=True):
        key = uuid_or_none(item.get("client_uuid")) if isinstance(item, dict) else None
        outcome.client_uuid = key
        uuids.append(key)
    with transaction.atomic():
        stored = _stored_summaries([u for u in uuids if u])
        # First the spec, item by item (shape and the rules between fields), then the rules
        # that need the database, on what a constant number of queries loaded for the batch.
        fresh = [
            outcome.index
            for outcome, key in zip(outcomes, uuids, strict=True)
            if key is None or key not in stored
        ]
        checked = dict(zip(fresh, logs_check([items[i] for i in fresh], now=now), strict=True))
        context = _load_context(actor, list(checked.values()))
        rows: list[dict[str, Any]] = []
        row_outcomes: list[ItemOutcome] = []
        first_index: dict[str, int] = {}
        for outcome, key in zip(outcomes, uuids, strict=True):
            if key is not None and key in stored:
                _duplicate(outcome, stored[key], actor)
                continue
            item_checked = checked[outcome.index]
            row = _database_rules(item_checked, context)
            outcome.warnings = item_checked.warnings
            if key is None and "client_uuid" not in item_checked.errors:
                item_checked.errors = {"client_uuid": ["Required: a UUID."], **item_checked.errors}
            if item_checked.errors or row is None:
                outcome.errors = item_checked.errors
                continue
            assert key is not None
            if key in first_index:
                outcome.status = "duplicate"  # repeated inside the batch; resolved below
                continue
            first_index[key] = outcome.index
            rows.append(row)
            row_outcomes.append(outcome)
        _flag_pace(actor, rows)
        rows_split_free_text(rows, context.questions)
        inserted = _insert(rows, actor, envelope, now) if rows else {}
        lost = [r["client_uuid"] for r in rows if r["client_uuid"] not in inserted]
        winners = _stored_summaries(lost)
        by_uuid: dict[str, dict[str, Any]] = {}
        for row, outcome in zip(rows, row_outcomes, strict=True):
            key = row["client_uuid"]
            if key in inserted:
                outcome.status = "created"
                outcome.log = _log_summary(row, inserted[key], now)
                by_uuid[key] = outcome.log
            elif key in winners:
                # A concurrent push stored the same UUID first: answer like a retry would.
                _duplicate(outcome, winners[key], actor)
                outcome.warnings = {}
                if outcome.log:
                    by_uuid[key] = outcome.log
        for outcome in outcomes:
            if outcome.status == "duplicate" and outcome.log is None:
                outcome.log = by_uuid.get(outcome.client_uuid or "")
                if outcome.log is None:
                    outcome.status = "rejected"
                    outcome.errors = {"client_uuid": ["Repeated in this batch."]}
        households_flags_raise([r for r in rows if r["client_uuid"] in inserted])
        device_sync_record(
            canvasser=actor,
            device_id=envelope["device_id"],
            app_version=envelope["app_version"],
            pending_count=envelope["pending_count"],
            now=now,
            kind="push",
        )
    return BatchResult(batch_id=envelope["batch_id"], received_at=now, results=outcomes)
