"""Sync down: what changed for a canvasser since an opaque cursor.

Every synced row carries `change_stamp`, set by a database trigger on insert and update
(migrations 0003 and 0004). On PostgreSQL the stamp is the writing transaction's id, and a pull
reads its *snapshot* (`pg_current_snapshot()`: xmin, xmax and the ids still in progress). A row is
visible in a snapshot exactly when its stamp is below xmin, or below xmax and not in progress; so
"the rows this snapshot did not see" is `stamp >= xmax OR stamp IN (in-progress ids)`, nothing
more. On SQLite (one writer at a time) stamps come from one counter and the snapshot is
"everything up to the counter seen" (xmin = xmax = counter + 1, nothing in progress).

A *round* delivers every row the previous round's snapshot did not see (everything, for a first
download), in phases, each paged by (stamp, id): removals first (erased or moved voters before
anything else), then assignments, doors, voters, logs, scripts and leaders (the scorecard of
the held turfs' precincts). The snapshot taken when the
round starts becomes the next round's lower bound. A row committed during or after the round by
a transaction that snapshot did not see is delivered by the next round, so rows may arrive twice
(clients upsert by id), never not at all; and a transaction that is merely open somewhere (even
an idle one in another database) causes no re-send, because only its own id is excluded.

Removals come from `SyncRemoval` tombstones (written by triggers) and from turf stops marked
inactive. Turf names, statuses and active scripts are not stamped rows: the cursor carries a
digest of them, and when it changes the round re-sends every held assignment and active script.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.accounts.models import Membership, Role, User
from backend.db.snapshots import snapshot_bounds
from canvass.errors import InvalidCursorError
from canvass.models import (
    ConversationLog,
    DeviceSync,
    Household,
    Leader,
    Script,
    SyncRemoval,
    SyncSequence,
    TurfAssignment,
    TurfHousehold,
    Voter,
)
from canvass.selectors.leaders import (
    leader_as_dict,
    leaders_for_turfs,
    relevant_to,
    turfs_of,
    with_positions,
)
from canvass.selectors.platform import plank_brief
from canvass.selectors.scripts import with_default_script, with_questions

CURSOR_SALT = "canvass.sync.cursor"
# More in-progress ids than this and the cursor keeps only xmin (safe: it re-sends, never skips),
# so a cursor stays short whatever the server is doing.
MAX_IN_PROGRESS = 64
SECTIONS = (
    "removed_voters",
    "assignments",
    "removed_households",
    "households",
    "voters",
    "removed_logs",
    "logs",
    "scripts",
    "leaders",
)


@dataclass(frozen=True)
class Snapshot:
    """What a pull could see: every stamp below xmin, and below xmax unless in progress."""

    xmin: int
    xmax: int
    in_progress: tuple[int, ...] = ()

    def saw(self, stamp: int) -> bool:
        return stamp < self.xmin or (stamp < self.xmax and stamp not in self.in_progress)

    def unseen(self, stamp_field: str = "change_stamp") -> Q:
        """Rows this snapshot did not see (committed since, or still running then)."""
        condition = Q(**{f"{stamp_field}__gte": self.xmax})
        if self.in_progress:
            condition |= Q(**{f"{stamp_field}__in": self.in_progress})
        return condition

    def dump(self) -> list[Any]:
        return [self.xmin, self.xmax, list(self.in_progress)]

    @classmethod
    def load(cls, value: Any) -> Snapshot | None:
        if value is None:
            return None
        if isinstance(value, int):  # cursors issued before the exact snapshot: xmin only
            return cls(value, value)
        xmin, xmax, in_progress = value
        return cls(int(xmin), int(xmax), tuple(int(x) for x in in_progress))


def current_snapshot() -> Snapshot:
    """The snapshot of this connection now: every row it sees is visible to the reads after."""
    bounds = snapshot_bounds(
        counter_table=SyncSequence._meta.db_table, max_in_progress=MAX_IN_PROGRESS
    )
    return Snapshot(bounds.xmin, bounds.xmax, bounds.in_progress)


def current_watermark() -> int:
    """Every row with a smaller change_stamp is committed and visible to this connection now."""
    return current_snapshot().xmin


@dataclass
class Cursor:
    since: Snapshot | None = None  # deliver rows this snapshot did not see (None: everything)
    next_since: Snapshot | None = None  # the snapshot taken when this round started
    phase: int = 0
    stamp: int = -1  # keyset position inside the phase
    row_id: int = 0
    turfs_digest: str = ""  # the held turfs' names, statuses, scripts as last delivered
    next_turfs_digest: str = ""
    caucus_digest: str = ""  # the caucus sites of the held doors as last delivered

    def dumps(self, user: User) -> str:
        return signing.dumps(
            [
                user.pk,
                self.since.dump() if self.since else None,
                self.next_since.dump() if self.next_since else None,
                self.phase,
                self.stamp,
                self.row_id,
                self.turfs_digest,
                self.next_turfs_digest,
                self.caucus_digest,
            ],
            salt=CURSOR_SALT,
            compress=True,
        )

    @classmethod
    def loads(cls, token: str | None, user: User) -> Cursor:
        if not token:
            return cls()
        try:
            values = signing.loads(token, salt=CURSOR_SALT)
            if len(values) == 6:
                # Issued before tombstones: restart that round from its lower bound (re-sends,
                # never skips).
                user_id, low, *_rest = values
                cursor = cls(since=Snapshot.load(low or None))
            else:
                user_id, since, next_since, phase, stamp, row_id, digest, next_digest, *rest = (
                    values
                )
                cursor = cls(
                    Snapshot.load(since),
                    Snapshot.load(next_since),
                    int(phase),
                    int(stamp),
                    int(row_id),
                    str(digest),
                    str(next_digest),
                    # Cursors from before caucus sites: "" re-sends them once.
                    str(rest[0]) if rest else "",
                )
        except (signing.BadSignature, ValueError, TypeError):
            raise InvalidCursorError(
                "This cursor is not valid; start again without one.",
                fields={"cursor": ["Not a cursor from this server."]},
            ) from None
        if user_id != user.pk or not 0 <= cursor.phase < len(PHASES):
            raise InvalidCursorError(
                "This cursor belongs to another session; start again without one.",
                fields={"cursor": ["Not your cursor."]},
            )
        return cursor


@dataclass
class PullPage:
    cursor: str
    has_more: bool
    sections: dict[str, Any]  # section -> rows; caucus_sites may be None (unchanged)


@dataclass
class _Round:
    """What every phase of one page needs to know."""

    user: User
    since: Snapshot | None
    open_turfs: set[int]
    new_turfs: set[int]  # assigned since the last round: sent whole
    turf_scripts: dict[int, int | None]  # held turf -> active script
    turfs_changed: bool  # a held turf's name, status or script changed: re-send them all
    paused_turfs: set[int]  # held turfs an active incident covers: stop knocking there
    held_ever: QuerySet[Any] = field(init=False)

    def __post_init__(self) -> None:
        # Doors of every turf this canvasser ever held: where an erased voter may sit on a phone.
        self.held_ever = TurfHousehold.objects.filter(
            turf_id__in=TurfAssignment.objects.filter(canvasser=self.user).values("turf_id")
        ).values("household_id")

    def changed(self, stamp_field: str = "change_stamp") -> Q:
        return self.since.unseen(stamp_field) if self.since else Q()


Row = tuple[int, int, dict[str, Any]]
Fetch = Callable[["_Round", Cursor, int], list[Row]]


def _after(queryset: QuerySet[Any], cursor: Cursor) -> QuerySet[Any]:
    if cursor.stamp >= 0:
        queryset = queryset.filter(
            Q(change_stamp__gt=cursor.stamp) | Q(change_stamp=cursor.stamp, id__gt=cursor.row_id)
        )
    return queryset.order_by("change_stamp", "id")


def _tombstones(kind: str, r: _Round, cursor: Cursor) -> QuerySet[SyncRemoval]:
    if r.since is None:
        return SyncRemoval.objects.none()  # a first download has nothing to forget
    return _after(SyncRemoval.objects.filter(r.changed(), kind=kind), cursor)


def _removed_voters(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    """Voters that left a door (erased, deleted from the file, moved by a re-import)."""
    rows = _tombstones(SyncRemoval.Kind.VOTER, r, cursor).filter(household_id__in=r.held_ever)
    return [
        (t.change_stamp, t.pk, {"voter": t.object_id, "household": t.household_id})
        for t in rows[:limit]
    ]


def _assignments(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    queryset = TurfAssignment.objects.filter(canvasser=r.user)
    if r.turfs_changed:
        queryset = queryset.filter(r.changed() | Q(unassigned_at__isnull=True))
    else:
        queryset = queryset.filter(r.changed())
    out = []
    for a in _after(queryset.select_related("turf"), cursor)[:limit]:
        removed = a.unassigned_at is not None and a.turf_id not in r.open_turfs
        item: dict[str, Any] = {"turf": a.turf_id, "removed": removed}
        if not removed:
            item.update(
                name=a.turf.name,
                status=a.turf.status,
                assigned_at=a.assigned_at,
                script=r.turf_scripts.get(a.turf_id),
                paused=a.turf_id in r.paused_turfs,
            )
        out.append((a.change_stamp, a.pk, item))
    return out


def _deleted_assignments(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    rows = (
        _tombstones(SyncRemoval.Kind.ASSIGNMENT, r, cursor)
        .filter(canvasser_id=r.user.pk)
        .exclude(turf_id__in=r.open_turfs)
    )
    return [(t.change_stamp, t.pk, {"turf": t.turf_id, "removed": True}) for t in rows[:limit]]


def _removed_stops(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    """Doors taken out of a turf that is still assigned (re-cut, or the turf completed)."""
    queryset = TurfHousehold.objects.filter(r.changed(), turf_id__in=r.open_turfs, active=False)
    rows = _after(queryset, cursor).only("id", "turf_id", "household_id", "change_stamp")
    return [
        (s.change_stamp, s.pk, {"household": s.household_id, "turf": s.turf_id})
        for s in rows[:limit]
    ]


def _deleted_stops(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    rows = _tombstones(SyncRemoval.Kind.HOUSEHOLD, r, cursor).filter(turf_id__in=r.open_turfs)
    return [
        (t.change_stamp, t.pk, {"household": t.household_id, "turf": t.turf_id})
        for t in rows[:limit]
    ]


def _households(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    stops = TurfHousehold.objects.filter(active=True, turf_id__in=r.open_turfs)
    fresh = stops.filter(r.changed() | Q(turf_id__in=r.new_turfs))
    queryset = (
        Household.objects.filter(r.changed() | Q(turf_stops__in=fresh))
        .filter(turf_stops__in=stops)
        .distinct()
    )
    rows = list(_after(queryset, cursor)[:limit])
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


def _voters(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    from canvass.models import age_band

    stops = TurfHousehold.objects.filter(active=True, turf_id__in=r.open_turfs)
    fresh = stops.filter(r.changed() | Q(turf_id__in=r.new_turfs))
    queryset = Voter.objects.filter(household__turf_stops__in=stops).filter(
        r.changed() | Q(household__turf_stops__in=fresh)
    )
    rows = _after(queryset.distinct(), cursor).only(
        "id", "household_id", "first_name", "last_name", "birth_year", "language", "change_stamp"
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
        for v in rows[:limit]
    ]


def _removed_logs(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    rows = _tombstones(SyncRemoval.Kind.LOG, r, cursor).filter(turf_id__in=r.open_turfs)
    return [(t.change_stamp, t.pk, {"log": t.object_id, "turf": t.turf_id}) for t in rows[:limit]]


def _logs(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    queryset = ConversationLog.objects.filter(turf_id__in=r.open_turfs).filter(
        r.changed() | Q(turf_id__in=r.new_turfs)
    )
    rows = _after(queryset, cursor).only(
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
    )
    return [
        (
            log.change_stamp,
            log.pk,
            {
                "id": log.pk,
                "client_uuid": str(log.client_uuid),
                "mine": log.canvasser_id == r.user.pk,
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
        for log in rows[:limit]
    ]


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
                "plank": plank_brief(q.plank) if q.plank is not None else None,
            }
            for q in script.questions.all()
        ],
    }


def _scripts(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    by_turf = r.turf_scripts
    ids = {s for s in by_turf.values() if s is not None}
    queryset = Script.objects.filter(pk__in=ids)
    if not r.turfs_changed:
        fresh = {s for t, s in by_turf.items() if s is not None and t in r.new_turfs}
        queryset = queryset.filter(r.changed() | Q(pk__in=fresh))
    out = []
    for script in with_questions(_after(queryset, cursor))[:limit]:
        item = script_as_dict(script)
        item["turfs"] = sorted(t for t, s in by_turf.items() if s == script.pk)
        out.append((script.change_stamp, script.pk, item))
    return out


def _leaders(r: _Round, cursor: Cursor, limit: int) -> list[Row]:
    """Published leaders relevant to the held turfs' precincts, with their positions: all of
    them for a first download or when the held turfs changed, those of newly assigned turfs, and
    every leader changed since the last round (one no longer relevant, unpublished or moved
    elsewhere, comes as `removed`). Each names the held turfs it matters to; a phone drops a
    leader when it drops the last of them."""
    places, relevant = leaders_for_turfs(r.open_turfs) if r.open_turfs else ([], Q(pk__in=[]))
    if r.since is None:
        condition = relevant
    elif r.turfs_changed:
        condition = relevant | r.changed()
    else:
        condition = r.changed()
        fresh = [p for p in places if p.turf in r.new_turfs]
        if fresh:
            condition |= relevant_to(fresh)
    out = []
    for leader in with_positions(_after(Leader.objects.filter(condition), cursor))[:limit]:
        turfs = turfs_of(leader, places)
        item: dict[str, Any] = {"id": leader.pk, "removed": not turfs}
        if turfs:
            item.update(leader_as_dict(leader), turfs=turfs)
        out.append((leader.change_stamp, leader.pk, item))
    return out


# (section, fetcher) in delivery order; a cursor's phase indexes this tuple.
PHASES: tuple[tuple[str, Fetch], ...] = (
    ("removed_voters", _removed_voters),
    ("assignments", _assignments),
    ("assignments", _deleted_assignments),
    ("removed_households", _removed_stops),
    ("removed_households", _deleted_stops),
    ("households", _households),
    ("voters", _voters),
    ("removed_logs", _removed_logs),
    ("logs", _logs),
    ("scripts", _scripts),
    ("leaders", _leaders),
)


def _held_turfs(user: User) -> tuple[dict[int, int], dict[int, int | None], str, set[int]]:
    """Held turf -> its assignment's stamp, held turf -> active script, a digest of what a
    phone shows of the held turfs (names, statuses, scripts, paused) and the paused ones, in
    two or three queries."""
    rows = list(
        TurfAssignment.objects.filter(canvasser=user, unassigned_at__isnull=True).values_list(
            "turf_id",
            "change_stamp",
            "turf__name",
            "turf__status",
            "turf__script_id",
            "turf__paused_at",
        )
    )
    stamps = {turf: stamp for turf, stamp, *_ in rows}
    scripts = with_default_script({turf: script for turf, _, _, _, script, _ in rows})
    shown = sorted((turf, name, status, scripts[turf]) for turf, _, name, status, _, _ in rows)
    # Paused turfs (an incident) join the digest only when there are some: a cursor issued
    # before pausing existed keeps its digest.
    paused = {turf for turf, *_, paused_at in rows if paused_at is not None}
    if paused:
        shown.append(("paused", *sorted(paused)))  # type: ignore[arg-type]
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=8).hexdigest()
    return stamps, scripts, digest, paused


def sync_pull(*, user: User, cursor_token: str | None, limit: int | None = None) -> PullPage:
    """One page of changes for the canvasser since `cursor_token` (None: everything).

    Pages until `has_more` is false; keep the last cursor for the next pull. The page holds at
    most `limit` rows in all (SYNC_PULL_PAGE_SIZE by default).
    """
    cursor = Cursor.loads(cursor_token, user)
    limit = min(limit or settings.SYNC_PULL_PAGE_SIZE, settings.SYNC_PULL_PAGE_SIZE)
    starting = cursor.next_since is None
    if starting:
        # The snapshot comes first: everything it saw is visible to the reads that follow.
        cursor.next_since = current_snapshot()
    stamps, turf_scripts, digest, paused = _held_turfs(user)
    if starting:
        cursor.next_turfs_digest = digest
    since = cursor.since
    context = _Round(
        user=user,
        since=since,
        open_turfs=set(stamps),
        new_turfs={t for t, s in stamps.items() if since is None or not since.saw(s)},
        turf_scripts=turf_scripts,
        paused_turfs=paused,
        turfs_changed=since is not None and cursor.turfs_digest != cursor.next_turfs_digest,
    )
    sections: dict[str, Any] = {name: [] for name in SECTIONS}
    room = limit
    while cursor.phase < len(PHASES) and room > 0:
        section, fetch = PHASES[cursor.phase]
        rows = fetch(context, cursor, room)
        sections[section].extend(item for _, _, item in rows)
        room -= len(rows)
        if room > 0:
            # The phase is exhausted: the next one starts from its beginning.
            cursor.phase += 1
            cursor.stamp, cursor.row_id = -1, 0
        else:
            cursor.stamp, cursor.row_id = rows[-1][0], rows[-1][1]
    if cursor.phase >= len(PHASES):
        sites, caucus_digest = _caucus_sites(context.open_turfs)
        done = Cursor(
            since=cursor.next_since,
            turfs_digest=cursor.next_turfs_digest,
            caucus_digest=caucus_digest,
        )
        sections["caucus_sites"] = sites if caucus_digest != cursor.caucus_digest else None
        return PullPage(cursor=done.dumps(user), has_more=False, sections=sections)
    sections["caucus_sites"] = None
    return PullPage(cursor=cursor.dumps(user), has_more=True, sections=sections)


def _caucus_sites(open_turfs: set[int]) -> tuple[list[dict[str, Any]], str]:
    """Where each held door's precinct caucuses (next precinct caucus), and a digest of it.

    Not stamped rows: sites live in events. The last page of a round compares the digest with the
    one the cursor delivered last; the whole list is sent (replace what you hold) only when it
    differs, so a moved site or a re-linked precinct reaches the phone on its next pull."""
    from events.selectors.caucuses import caucus_site_by_precinct

    doors: dict[int, list[int]] = {}
    for household_id, precinct_id in (
        Household.objects.filter(
            turf_stops__turf_id__in=open_turfs,
            turf_stops__active=True,
            precinct__isnull=False,
        )
        .values_list("id", "precinct_id")
        .distinct()
        .order_by("precinct_id", "id")
    ):
        doors.setdefault(precinct_id, []).append(household_id)
    if not doors:
        return [], ""
    found = caucus_site_by_precinct(precinct_ids=list(doors))
    items = [
        {
            "precinct": precinct_id,
            "households": households,
            "caucus": found[precinct_id]["caucus"] if precinct_id in found else None,
            "site": found[precinct_id]["site"] if precinct_id in found else None,
        }
        for precinct_id, households in sorted(doors.items())
    ]
    digest = hashlib.blake2b(repr(items).encode(), digest_size=8).hexdigest()
    return items, digest


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
