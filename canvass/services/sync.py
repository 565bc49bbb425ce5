"""Sync up: a batch of conversation logs from a phone, each stored exactly once.

This is the one hot path of the API, so it skips per-item DRF serializers and per-row ORM work:
the whole batch is validated in one pass of plain Python, distances use the great-circle formula,
and the batch costs a constant number of SQL queries whatever its size:

1. stored logs with the batch's UUIDs (duplicates answer with the stored row, whatever they say),
2. the batch's doors that are in turf assigned to the canvasser now (with their coordinates),
3. the named voters, 4. the turfs' scripts and questions,
5. the canvasser's logs around the batch's times (pace flag),
6. one INSERT ... ON CONFLICT (client_uuid) DO NOTHING RETURNING for every valid item
   (a concurrent push of the same UUID waits on the unique index and then finds the row),
7. only when 6 lost a race: the rows that won it,
8. at most three UPDATEs of the doors' safety flags, 9. the device's readiness row.
"""

from __future__ import annotations

import json
import time
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.api.errors import ApplicationError, PayloadTooLargeError
from backend.api.text import contains_bad_text
from backend.api.times import aware_datetime_problem
from backend.crypto import encrypt
from backend.geo.services import great_circle_m
from canvass.models import (
    ConversationLog,
    DeviceSync,
    Household,
    Pledge,
    Question,
    QuestionKind,
    Result,
    Script,
    TurfAssignment,
    TurfHousehold,
    Voter,
    WillCaucus,
)
from canvass.notes import REPHRASE_MESSAGE, mentions_immigration_status, rows_split_free_text

RESULTS = frozenset(Result.values)
PLEDGES = frozenset(Pledge.values)
WILL_CAUCUS = frozenset(WillCaucus.values)
FREE_TEXT_ANSWER_MAX = 500
MAX_ACCURACY_M = 100_000.0
DEVICE_ID_MAX = 64
APP_VERSION_MAX = 32
MAX_PENDING = 1_000_000

# What only a contacted person can give; anything else with these set is refused.
CONTACT_ONLY = ("support_level", "pledge", "will_caucus")


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


MAX_ID = 2**63 - 1  # bigint: larger ids cannot exist, and the database would refuse them


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value: Any) -> bool:
    return _is_int(value) and 1 <= value <= MAX_ID


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _uuid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_datetime(value: Any) -> datetime | str:
    """The aware datetime, or a message saying what is wrong."""
    if not isinstance(value, str):
        return "Expected an ISO 8601 date-time string."
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return "Expected an ISO 8601 date-time with a time zone, e.g. 2026-01-10T14:05:00Z."
    if parsed.tzinfo is None:
        return "Give the time zone (e.g. a trailing Z or +00:00)."
    offset_problem = aware_datetime_problem(parsed)
    if offset_problem:
        return offset_problem  # valid ISO 8601, but PostgreSQL would refuse the whole batch
    if not 1900 <= parsed.year <= 2200:
        return "Dates must fall between the years 1900 and 2200."
    return parsed


def _batch_shape(payload: Any) -> tuple[list[Any], dict[str, Any]]:
    """Whole-request checks (the standard error shape): returns the items and the envelope."""
    if not isinstance(payload, dict):
        raise ApplicationError(
            "Send a JSON object with device_id, batch_id and logs.",
            fields={"non_field_errors": ["Expected an object."]},
        )
    errors: dict[str, list[str]] = {}
    device_id = payload.get("device_id")
    if not isinstance(device_id, str) or not 1 <= len(device_id) <= DEVICE_ID_MAX:
        errors["device_id"] = [f"Required: a string of 1 to {DEVICE_ID_MAX} characters."]
    elif contains_bad_text(device_id):
        errors["device_id"] = ["Text may not contain NUL characters or unpaired surrogates."]
    batch_id = _uuid(payload.get("batch_id"))
    if batch_id is None:
        errors["batch_id"] = ["Required: a UUID."]
    app_version = payload.get("app_version", "")
    if app_version is None:
        app_version = ""
    if not isinstance(app_version, str) or len(app_version) > APP_VERSION_MAX:
        errors["app_version"] = [f"A string of at most {APP_VERSION_MAX} characters."]
    elif contains_bad_text(app_version):
        errors["app_version"] = ["Text may not contain NUL characters or unpaired surrogates."]
    pending = payload.get("pending_count", 0)
    if pending is None:
        pending = 0
    if not _is_int(pending) or not 0 <= pending <= MAX_PENDING:
        errors["pending_count"] = [f"An integer from 0 to {MAX_PENDING}."]
    logs = payload.get("logs")
    if not isinstance(logs, list):
        errors["logs"] = ["Expected a list of conversation logs."]
    elif not logs:
        errors["logs"] = ["The batch is empty."]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], fields=errors)
    assert isinstance(logs, list)
    if len(logs) > settings.SYNC_MAX_BATCH:
        raise PayloadTooLargeError(
            f"A batch holds at most {settings.SYNC_MAX_BATCH} logs; split it.",
            code="batch_too_large",
            fields={"logs": [f"At most {settings.SYNC_MAX_BATCH} items."]},
        )
    envelope = {
        "device_id": device_id,
        "batch_id": batch_id,
        "app_version": app_version,
        "pending_count": pending,
    }
    return logs, envelope


@dataclass
class _Context:
    canvasser: User
    now: datetime
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
    moments = [
        m for m in (_parse_datetime(contacted_at), ctx.last_pull_at) if isinstance(m, datetime)
    ]
    for turf_id, lat, lon, since, until in ctx.held.get(household, ()):
        if any(since <= m and (until is None or m <= until) for m in moments):
            return turf_id, lat, lon
    return None


def _check_answers(
    answers: Any,
    questions: dict[str, Question] | None,
    errors: dict[str, list[str]],
    warnings: dict[str, list[str]],
) -> dict[str, Any]:
    if answers is None:
        return {}
    if not isinstance(answers, dict):
        errors["answers"] = ["Expected an object of question code to answer."]
        return {}
    if answers and questions is None:
        errors["answers"] = ["This turf has no active script to answer."]
        return {}
    clean: dict[str, Any] = {}
    for code, value in answers.items():
        question = (questions or {}).get(code)
        key = f"answers.{code}"
        if question is None:
            errors[key] = ["Not a question of the active script."]
            continue
        codes = {c["code"] for c in question.choices}
        kind = question.kind
        if kind == QuestionKind.SINGLE_CHOICE:
            if not isinstance(value, str) or value not in codes:
                errors[key] = [f"Expected one of: {', '.join(sorted(codes))}."]
                continue
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            if (
                not isinstance(value, list)
                or not all(isinstance(v, str) and v in codes for v in value)
                or len(set(value)) != len(value)
            ):
                errors[key] = [
                    f"Expected a list of distinct codes from: {', '.join(sorted(codes))}."
                ]
                continue
        elif kind == QuestionKind.YES_NO:
            if not isinstance(value, bool):
                errors[key] = ["Expected true or false."]
                continue
        elif kind == QuestionKind.SCALE:
            low, high = question.scale_min or 1, question.scale_max or 5
            if not _is_int(value) or not low <= value <= high:
                errors[key] = [f"Expected an integer from {low} to {high}."]
                continue
        else:
            if not isinstance(value, str) or len(value) > FREE_TEXT_ANSWER_MAX:
                errors[key] = [f"Expected text of at most {FREE_TEXT_ANSWER_MAX} characters."]
                continue
            if contains_bad_text(value):
                errors[key] = ["Text may not contain NUL characters or unpaired surrogates."]
                continue
            if mentions_immigration_status(value):
                warnings[key] = [REPHRASE_MESSAGE]  # refused like a note; the log is kept
                continue
        clean[code] = value
    return clean


def _validate(
    item: Any, ctx: _Context
) -> tuple[dict[str, Any] | None, dict[str, list[str]], dict[str, list[str]]]:
    """One item: (values to store or None, field errors, warnings)."""
    errors: dict[str, list[str]] = {}
    warnings: dict[str, list[str]] = {}
    if not isinstance(item, dict):
        return None, {"non_field_errors": ["Expected an object."]}, warnings
    household = item.get("household")
    door = None
    if not _is_id(household):
        errors["household"] = ["Required: a household id (integer)."]
    else:
        door = ctx.doors.get(household)  # type: ignore[arg-type]
        if door is None:
            door = _held_door(ctx, household, item.get("contacted_at"))  # type: ignore[arg-type]
        if door is None:
            errors["household"] = ["This door is not in turf assigned to you."]
    voter = item.get("voter")
    if voter is not None:
        if not _is_id(voter):
            errors["voter"] = ["Expected a voter id (integer) or null."]
        elif ctx.voters.get(voter) != household:
            errors["voter"] = ["This voter does not live at this door."]
    result = item.get("result")
    if result not in RESULTS:
        errors["result"] = [f"Expected one of: {', '.join(sorted(RESULTS))}."]
    contacted = result == Result.CONTACTED
    values: dict[str, Any] = {}
    for name in ("do_not_knock", "wants_to_volunteer", "volunteer_consent", "follow_up_needed"):
        flag = item.get(name, False)
        if flag is None:
            flag = False
        if not isinstance(flag, bool):
            errors[name] = ["Expected true or false."]
        values[name] = flag
    support = item.get("support_level")
    if support is not None and (not _is_int(support) or not 1 <= support <= 5):
        errors["support_level"] = ["Expected an integer from 1 to 5."]
    pledge = item.get("pledge")
    if pledge is not None and pledge not in PLEDGES:
        errors["pledge"] = ["Expected yes, no or undecided."]
    will_caucus = item.get("will_caucus")
    if will_caucus is not None and will_caucus not in WILL_CAUCUS:
        errors["will_caucus"] = ["Expected yes, no or maybe."]
    if not contacted and result in RESULTS:
        for name, value in (
            ("support_level", support),
            ("pledge", pledge),
            ("will_caucus", will_caucus),
        ):
            if value is not None and name not in errors:
                errors[name] = ["Only for a contacted person."]
        if values["wants_to_volunteer"] and "wants_to_volunteer" not in errors:
            errors["wants_to_volunteer"] = ["Only for a contacted person."]
        if item.get("answers"):
            errors["answers"] = ["Only for a contacted person."]
    if values["volunteer_consent"] and not values["wants_to_volunteer"]:
        errors.setdefault("volunteer_consent", ["Only together with wants_to_volunteer."])
    script_id = ctx.turf_script.get(door[0]) if door else None
    answers = _check_answers(
        item.get("answers"), ctx.questions.get(script_id) if script_id else None, errors, warnings
    )
    notes = item.get("notes")
    if notes is None:
        notes = ""
    if not isinstance(notes, str):
        errors["notes"] = ["Expected text."]
        notes = ""
    elif len(notes) > settings.CANVASS_NOTES_MAX_LENGTH:
        errors["notes"] = [f"At most {settings.CANVASS_NOTES_MAX_LENGTH} characters."]
    elif contains_bad_text(notes):
        errors["notes"] = ["Text may not contain NUL characters or unpaired surrogates."]
    elif mentions_immigration_status(notes):
        # The log is kept; only the note is refused.
        warnings["notes"] = [REPHRASE_MESSAGE]
        notes = ""
    contacted_at = _parse_datetime(item.get("contacted_at"))
    if isinstance(contacted_at, str):
        errors["contacted_at"] = [contacted_at]
    elif contacted_at > ctx.now + timedelta(minutes=settings.SYNC_MAX_CLOCK_SKEW_MINUTES):
        errors["contacted_at"] = ["In the future: check the phone's clock."]
    location = item.get("location")
    lat: Any = None
    lon: Any = None
    accuracy: Any = None
    if location is not None:
        if not isinstance(location, dict):
            errors["location"] = ["Expected an object with latitude, longitude, accuracy_m."]
        else:
            lat, lon, accuracy = (
                location.get("latitude"),
                location.get("longitude"),
                location.get("accuracy_m"),
            )
            if not _is_number(lat) or not -90 <= lat <= 90:
                errors["location.latitude"] = ["Expected a number from -90 to 90."]
            if not _is_number(lon) or not -180 <= lon <= 180:
                errors["location.longitude"] = ["Expected a number from -180 to 180."]
            if accuracy is not None and (
                not _is_number(accuracy) or not 0 <= accuracy <= MAX_ACCURACY_M
            ):
                errors["location.accuracy_m"] = [f"Expected metres from 0 to {MAX_ACCURACY_M:g}."]
    if errors:
        return None, errors, warnings
    assert door is not None and isinstance(contacted_at, datetime)
    turf_id, door_lat, door_lon = door
    distance = None
    flag_distance = False
    if lat is not None and door_lat is not None and door_lon is not None:
        distance = great_circle_m(lat, lon, door_lat, door_lon)  # type: ignore[arg-type]
        allowance = settings.CANVASS_DISTANCE_FLAG_METERS + float(accuracy or 0.0)
        flag_distance = distance > allowance
    values.update(
        household_id=household,
        voter_id=voter,
        turf_id=turf_id,
        script_id=script_id,
        result=result,
        support_level=support,
        answers=answers,
        pledge=pledge or "",
        will_caucus=will_caucus or "",
        notes=notes,
        contacted_at=contacted_at,
        latitude=float(lat) if lat is not None else None,
        longitude=float(lon) if lon is not None else None,
        accuracy_m=float(accuracy) if accuracy is not None else None,
        distance_m=round(distance, 1) if distance is not None else None,
        flag_distance=flag_distance,
        flag_pace=False,
        flag_unverified=lat is None,
    )
    return values, errors, warnings


def _load_context(canvasser: User, now: datetime, items: list[Any]) -> _Context:
    household_ids = {
        i["household"] for i in items if isinstance(i, dict) and _is_id(i.get("household"))
    }
    voter_ids = {i["voter"] for i in items if isinstance(i, dict) and _is_id(i.get("voter"))}
    doors: dict[int, tuple[int, float | None, float | None]] = {}
    turf_script: dict[int, int | None] = {}
    if household_ids:
        if connection.vendor == "postgresql":
            found = _raw(
                "SELECT th.household_id, th.turf_id, h.latitude, h.longitude, t.script_id "
                "FROM canvass_turfhousehold th "
                "JOIN canvass_household h ON h.id = th.household_id "
                "JOIN canvass_turf t ON t.id = th.turf_id "
                "WHERE th.active AND th.household_id = ANY(%s::bigint[]) AND th.turf_id IN ("
                "  SELECT turf_id FROM canvass_turfassignment"
                "  WHERE canvasser_id = %s AND unassigned_at IS NULL)",
                ["{" + ",".join(map(str, household_ids)) + "}", canvasser.pk],
            )
        else:
            open_turfs = TurfAssignment.objects.filter(
                canvasser=canvasser, unassigned_at__isnull=True
            ).values("turf_id")
            found = list(
                TurfHousehold.objects.filter(
                    active=True, household_id__in=household_ids, turf_id__in=open_turfs
                ).values_list(
                    "household_id",
                    "turf_id",
                    "household__latitude",
                    "household__longitude",
                    "turf__script_id",
                )
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
    return _Context(canvasser, now, doors, voters, turf_script, questions, held, last_pull_at)


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


COLUMNS = [
    ("client_uuid", "uuid"),
    ("household_id", "bigint"),
    ("voter_id", "bigint"),
    ("turf_id", "bigint"),
    ("script_id", "bigint"),
    ("result", "text"),
    ("do_not_knock", "boolean"),
    ("support_level", "integer"),
    ("answers", "text"),
    ("pledge", "text"),
    ("will_caucus", "text"),
    ("wants_to_volunteer", "boolean"),
    ("volunteer_consent", "boolean"),
    ("follow_up_needed", "boolean"),
    ("notes", "text"),
    ("free_text_answers", "text"),
    ("contacted_at", "timestamptz"),
    ("latitude", "float8"),
    ("longitude", "float8"),
    ("accuracy_m", "float8"),
    ("distance_m", "float8"),
    ("flag_distance", "boolean"),
    ("flag_pace", "boolean"),
    ("flag_unverified", "boolean"),
]


STAGING = "canvass_sync_incoming"


def _insert_postgresql(
    rows: list[dict[str, Any]], canvasser: User, envelope: dict[str, Any], now: datetime
) -> dict[str, int]:
    """Binary COPY of the valid items into a session temp table, then one INSERT ... SELECT
    ... ON CONFLICT (client_uuid) DO NOTHING RETURNING; returns uuid -> id of the rows this
    statement inserted. (psycopg dumps COPY rows in C; array parameters for unnest() are dumped
    in Python at ~100 µs per row, which was most of a batch's time.)"""
    import psycopg

    names = ", ".join(name for name, _ in COLUMNS)
    definition = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    types = [kind for _, kind in COLUMNS]
    select = ", ".join(f"{name}::jsonb" if name == "answers" else name for name, _ in COLUMNS)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        _record(
            cursor,
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ({definition}) ON COMMIT DELETE ROWS",
        )
        started = time.monotonic()
        with cursor.copy(f"COPY {STAGING} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for r in rows:
                copy.write_row(
                    (
                        uuid.UUID(r["client_uuid"]),
                        r["household_id"],
                        r["voter_id"],
                        r["turf_id"],
                        r["script_id"],
                        r["result"],
                        r["do_not_knock"],
                        r["support_level"],
                        json.dumps(r["answers"]),
                        r["pledge"],
                        r["will_caucus"],
                        r["wants_to_volunteer"],
                        r["volunteer_consent"],
                        r["follow_up_needed"],
                        encrypt(r["notes"]) if r["notes"] else "",
                        encrypt(r["free_text_answers"]) if r["free_text_answers"] else "",
                        r["contacted_at"],
                        r["latitude"],
                        r["longitude"],
                        r["accuracy_m"],
                        r["distance_m"],
                        r["flag_distance"],
                        r["flag_pace"],
                        r["flag_unverified"],
                    )
                )
        _log_query(f"COPY {STAGING} FROM STDIN", started)
        inserted = _record(
            cursor,
            # Only our own column names are interpolated; every value is a parameter.
            f"INSERT INTO canvass_conversationlog ({names}, canvasser_id, device_id, "  # noqa: S608
            "batch_id, received_at, flag_cleared, excluded) "
            f"SELECT {select}, %s, %s, %s::uuid, %s, false, false FROM {STAGING} "
            # One lock order for every batch: two pushes sharing UUIDs in different orders
            # wait for each other instead of deadlocking.
            "ORDER BY client_uuid "
            "ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid, id",
            [canvasser.pk, envelope["device_id"], envelope["batch_id"], now],
        )
        _record(cursor, f"DELETE FROM {STAGING}")  # noqa: S608 -- constant name
    return {str(u): i for u, i in inserted}


def _log_query(sql: str, started: float) -> None:
    # Statements run on the raw psycopg cursor are recorded where Django records its own, so
    # query-count tests see them.
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def _record(cursor: Any, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    started = time.monotonic()
    cursor.execute(sql, params, binary=True)
    rows = cursor.fetchall() if cursor.description else []
    _log_query(sql, started)
    return list(rows)


def _raw(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one statement on Django's connection (same transaction) with binary server-side
    binding (Django's psycopg cursors bind client-side, quoting in Python)."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        return _record(cursor, sql, params)


def _insert_generic(
    rows: list[dict[str, Any]], canvasser: User, envelope: dict[str, Any], now: datetime
) -> dict[str, int]:
    """SQLite has one writer at a time, so ignore_conflicts + a lookup is race-free there."""
    ConversationLog.objects.bulk_create(
        [
            ConversationLog(
                canvasser=canvasser,
                device_id=envelope["device_id"],
                batch_id=envelope["batch_id"],
                received_at=now,
                **row,
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )
    stored = ConversationLog.objects.filter(
        client_uuid__in=[r["client_uuid"] for r in rows], received_at=now, canvasser=canvasser
    ).values_list("client_uuid", "id")
    return {str(u): i for u, i in stored}


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


SUMMARY_COLUMNS = (
    "id, client_uuid, canvasser_id, household_id, turf_id, result, contacted_at, received_at, "
    "flag_distance, flag_pace, flag_unverified"
)


def _stored_summaries(uuids: list[str]) -> dict[str, tuple[int, dict[str, Any]]]:
    """uuid -> (canvasser id, summary) of stored logs."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    if not uuids:
        return found
    if connection.vendor == "postgresql":
        rows = _raw(
            f"SELECT {SUMMARY_COLUMNS} FROM canvass_conversationlog "  # noqa: S608
            "WHERE client_uuid = ANY(%s::uuid[])",
            # One text literal: the UUIDs were parsed already, and a text parameter is dumped
            # in C where a list is dumped item by item in Python.
            ["{" + ",".join(uuids) + "}"],
        )
    else:
        rows = list(
            ConversationLog.objects.filter(client_uuid__in=uuids).values_list(
                *(name.strip() for name in SUMMARY_COLUMNS.split(","))
            )
        )
    for pk, key, canvasser_id, household, turf, result, contacted, received, *flags in rows:
        row = {
            "client_uuid": str(key),
            "household_id": household,
            "turf_id": turf,
            "result": result,
            "contacted_at": contacted,
            "flag_distance": flags[0],
            "flag_pace": flags[1],
            "flag_unverified": flags[2],
        }
        found[str(key)] = (canvasser_id, _log_summary(row, pk, received))
    return found


def _duplicate(outcome: ItemOutcome, stored: tuple[int, dict[str, Any]], canvasser: User) -> None:
    owner, summary = stored
    if owner == canvasser.pk:
        outcome.status = "duplicate"
        outcome.log = summary
    else:
        # Someone else's UUID (a forged or colliding key): never show their log.
        outcome.status = "rejected"
        outcome.errors = {"client_uuid": ["This UUID is already used by another log."]}


def _set_safety_flags(rows: list[dict[str, Any]]) -> None:
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
        key = _uuid(item.get("client_uuid")) if isinstance(item, dict) else None
        outcome.client_uuid = key
        uuids.append(key)
    with transaction.atomic():
        stored = _stored_summaries([u for u in uuids if u])
        context = _load_context(actor, now, items)
        rows: list[dict[str, Any]] = []
        row_outcomes: list[ItemOutcome] = []
        first_index: dict[str, int] = {}
        for outcome, item, key in zip(outcomes, items, uuids, strict=True):
            if key is not None and key in stored:
                _duplicate(outcome, stored[key], actor)
                continue
            values, errors, warnings = _validate(item, context)
            if key is None:
                errors = {"client_uuid": ["Required: a UUID."], **errors}
            outcome.warnings = warnings
            if errors or values is None:
                outcome.errors = errors
                continue
            assert key is not None
            if key in first_index:
                outcome.status = "duplicate"  # repeated inside the batch; resolved below
                continue
            first_index[key] = outcome.index
            values["client_uuid"] = key
            rows.append(values)
            row_outcomes.append(outcome)
        _flag_pace(actor, rows)
        rows_split_free_text(rows, context.questions)
        insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_generic
        inserted = insert(rows, actor, envelope, now) if rows else {}
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
        _set_safety_flags([r for r in rows if r["client_uuid"] in inserted])
        device_sync_record(
            canvasser=actor,
            device_id=envelope["device_id"],
            app_version=envelope["app_version"],
            pending_count=envelope["pending_count"],
            now=now,
            kind="push",
        )
    return BatchResult(batch_id=envelope["batch_id"], received_at=now, results=outcomes)
