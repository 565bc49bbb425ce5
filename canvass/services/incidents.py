"""Incidents: declare a freeze over an area (its turfs pause, everyone working there is texted)
and lift it (the turfs resume unless another active incident still covers them; the same people
are told).

Exactly once, step by step: a declaration is one transaction (turf rows locked in id order, the
incident, its turfs, one `IncidentNotice` claim row and one outbox row per person); a lift claims
the incident row (`SELECT ... FOR UPDATE`, then `lifted_at IS NULL`), so a second lift, racing or
late, finds it lifted and answers 409 with nothing sent; the notices' unique constraint is the
database's final word on "one text per person and incident". Declarations and lifts lock the
turf rows they touch in id order, so a turf covered by an incident being declared while another
is lifted ends paused.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from shapely.geometry import shape

from backend.accounts.models import Role, User
from backend.accounts.selectors import teams_for_user
from backend.audit.services import audit_record
from backend.errors import ApplicationError, NotFoundError, PermissionDeniedError
from canvass.errors import EmptyAreaError, IncidentLiftedError, InvalidGeometryError
from canvass.geometry import AreaGeometry, GeometryError, parse_area, points_inside
from canvass.models import (
    AreaKind,
    FieldSession,
    FieldSessionStatus,
    Incident,
    IncidentKind,
    IncidentNotice,
    IncidentTurf,
    NoticeKind,
    Turf,
    TurfAssignment,
    TurfHousehold,
)
from canvass.models.incidents import INSTRUCTION_MAX, RADIUS_MAX_M, RADIUS_MIN_M
from canvass.notes import REPHRASE_MESSAGE, mentions_immigration_status
from messaging import catalog
from messaging.models import SmsKind, SmsStatus
from messaging.services.outbox import sms_safety_enqueue_many
from messaging.templates import render_safety

METERS_PER_DEGREE = 111_320.0
CIRCLE_SEGMENTS = 64
TURF_NAMES_IN_TEXT = 2

# The words (catalogue names "incident.*", messaging/locale/*/LC_MESSAGES/sms.po) around the
# instruction are GSM-7 only (no accents outside it), like the templates.


@dataclass(frozen=True)
class Circle:
    latitude: float
    longitude: float
    radius_m: int


# --- Who is told ----------------------------------------------------------------------------


def incident_recipients(*, turf_ids: Iterable[int]) -> list[tuple[User, list[int]]]:
    """Who is texted about an incident over these turfs, each with their turfs among them:
    every active canvasser with an open assignment on one of them, and whoever (a field lead
    walking a turf too) has an open field session on one of them, by user id."""
    turf_ids = list(turf_ids)
    by_user: dict[int, set[int]] = {}
    users: dict[int, User] = {}
    assignments = TurfAssignment.objects.filter(
        turf_id__in=turf_ids,
        unassigned_at__isnull=True,
        canvasser__is_active=True,
        canvasser__role=Role.CANVASSER,
    ).select_related("canvasser")
    sessions = FieldSession.objects.filter(
        turf_id__in=turf_ids, status=FieldSessionStatus.OPEN, canvasser__is_active=True
    ).select_related("canvasser")
    held: list[TurfAssignment | FieldSession] = [*assignments, *sessions]
    for row in held:
        users[row.canvasser_id] = row.canvasser
        by_user.setdefault(row.canvasser_id, set()).add(row.turf_id)
    return [(users[user_id], sorted(turfs)) for user_id, turfs in sorted(by_user.items())]


def _turf_words(names: list[str], language: str) -> str:
    shown = ", ".join(name[:40] for name in names[:TURF_NAMES_IN_TEXT])
    if len(names) <= TURF_NAMES_IN_TEXT:
        return shown
    more = catalog.text("incident.more", language)
    return more.format(names=shown, count=len(names) - TURF_NAMES_IN_TEXT)


def _body(incident: Incident, user: User, names: list[str], *, lifted: bool) -> str:
    language = user.language
    words = catalog.text("incident.lifted" if lifted else "incident.declared", language)
    kind = catalog.text(f"incident.kind.{IncidentKind(incident.kind).value}", language)
    detail = words.format(
        kind=kind if not lifted else kind.lower(),
        turfs=_turf_words(names, language),
        instruction=incident.instruction,
    )
    return render_safety(
        SmsKind.INCIDENT_LIFTED if lifted else SmsKind.INCIDENT, language, detail=detail
    )


def _notify(
    incident: Incident,
    recipients: list[tuple[User, list[int]]],
    names: dict[int, str],
    *,
    lifted: bool,
) -> tuple[int, int]:
    """Claim one notice per person and queue their text; (queued, unreachable)."""
    kind = SmsKind.INCIDENT_LIFTED if lifted else SmsKind.INCIDENT
    messages = sms_safety_enqueue_many(
        kind=kind,
        messages=[
            (user, _body(incident, user, [names[t] for t in turf_ids], lifted=lifted))
            for user, turf_ids in recipients
        ],
    )
    # No number, no consent or opted out: skipped at once (on record, never sent).
    unreachable = sum(1 for message in messages if message.status == SmsStatus.SKIPPED)
    notices = [
        IncidentNotice(
            incident=incident,
            user=user,
            kind=NoticeKind.LIFTED if lifted else NoticeKind.DECLARED,
            sms_id=message.pk,
        )
        for (user, _), message in zip(recipients, messages, strict=True)
    ]
    # No ignore_conflicts: a duplicate claim is a bug, and its IntegrityError rolls back the
    # whole change, texts included.
    IncidentNotice.objects.bulk_create(notices, batch_size=1000)
    return len(messages) - unreachable, unreachable


# --- Declaring ------------------------------------------------------------------------------


def _check_role(actor: User) -> None:
    if actor.role not in (Role.ORGANIZER, Role.FIELD_LEAD):
        raise PermissionDeniedError("Only field leads and organizers declare incidents.")


def _managed_turfs(actor: User) -> QuerySet[Turf]:
    if actor.role == Role.ORGANIZER:
        return Turf.objects.all()
    return Turf.objects.filter(team__in=teams_for_user(user=actor))


def _instruction(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ApplicationError(
            "Say what canvassers should do.", fields={"instruction": ["This field is required."]}
        )
    if len(text) > INSTRUCTION_MAX:
        raise ApplicationError(
            f"Keep the instruction to {INSTRUCTION_MAX} characters.",
            fields={"instruction": [f"At most {INSTRUCTION_MAX} characters."]},
        )
    if mentions_immigration_status(text):
        # The same rule as notes: the kind already says what happened; the words say what to do.
        raise ApplicationError(REPHRASE_MESSAGE, fields={"instruction": [REPHRASE_MESSAGE]})
    return text


def circle_polygon(circle: Circle) -> dict[str, Any]:
    """A GeoJSON polygon of CIRCLE_SEGMENTS sides approximating the circle (flat-earth offsets:
    within a few metres at these radii and Iowa's latitudes)."""
    lat_step = circle.radius_m / METERS_PER_DEGREE
    lon_step = lat_step / max(math.cos(math.radians(circle.latitude)), 0.01)
    ring = [
        [
            round(circle.longitude + lon_step * math.sin(2 * math.pi * i / CIRCLE_SEGMENTS), 7),
            round(circle.latitude + lat_step * math.cos(2 * math.pi * i / CIRCLE_SEGMENTS), 7),
        ]
        for i in range(CIRCLE_SEGMENTS)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _circle(value: Circle) -> Circle:
    problems: dict[str, list[str]] = {}
    if not -90 <= value.latitude <= 90:
        problems["circle.latitude"] = ["Must be between -90 and 90."]
    if not -180 <= value.longitude <= 180:
        problems["circle.longitude"] = ["Must be between -180 and 180."]
    if not RADIUS_MIN_M <= value.radius_m <= RADIUS_MAX_M:
        problems["circle.radius_m"] = [f"Must be between {RADIUS_MIN_M} and {RADIUS_MAX_M} m."]
    if problems:
        raise ApplicationError(next(iter(problems.values()))[0], fields=problems)
    return value


def _turfs_in_area(area: AreaGeometry, candidates: QuerySet[Turf]) -> set[int]:
    """Candidate turfs whose boundary meets the area or with an active door inside it."""
    found: set[int] = set()
    for turf_id, boundary in candidates.exclude(boundary=None).values_list("id", "boundary"):
        try:
            geometry = shape(boundary)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            continue  # a stored boundary that no longer parses: its doors still count below
        if geometry.is_valid and geometry.intersects(area.geometry):
            found.add(turf_id)
    min_lat, max_lat, min_lon, max_lon = area.bbox
    doors = list(
        TurfHousehold.objects.filter(
            active=True,
            turf__in=candidates,
            household__latitude__gte=min_lat,
            household__latitude__lte=max_lat,
            household__longitude__gte=min_lon,
            household__longitude__lte=max_lon,
        ).values_list("turf_id", "household__latitude", "household__longitude")
    )
    inside = points_inside(
        area.geometry,
        ((index, float(lat or 0), float(lon or 0)) for index, (_, lat, lon) in enumerate(doors)),
    )
    found.update(doors[index][0] for index in inside)
    return found


def _area_turfs(
    actor: User,
    *,
    polygon: Any,
    circle: Circle | None,
    turf_ids: list[int] | None,
) -> tuple[str, dict[str, Any] | None, set[int]]:
    given = [
        name for name, v in (("polygon", polygon), ("circle", circle), ("turfs", turf_ids)) if v
    ]
    if len(given) != 1:
        message = "Give exactly one of polygon, circle or turfs."
        raise ApplicationError(message, fields={name: [message] for name in given or ["area"]})
    managed = _managed_turfs(actor)
    if turf_ids:
        wanted = set(turf_ids)
        found = set(managed.filter(pk__in=wanted).values_list("id", flat=True))
        if missing := sorted(wanted - found):
            # The same answer for a turf that does not exist and another team's: no oracle.
            raise NotFoundError(
                "No such turf.",
                fields={"turfs": [f"No such turf: {', '.join(map(str, missing))}."]},
            )
        return AreaKind.TURFS, None, found
    field = "polygon" if polygon else "circle"
    geojson = circle_polygon(_circle(circle)) if circle is not None else polygon
    try:
        area = parse_area(geojson, repair=False)
    except GeometryError as exc:
        raise InvalidGeometryError(str(exc), fields={field: [str(exc)]}) from None
    found = _turfs_in_area(area, managed)
    if not found:
        # Empty, or only other teams' turf: the same refusal (no existence oracle).
        raise EmptyAreaError(
            "No turf of your teams is in this area; nothing was paused or sent.",
            fields={field: ["No turf of your teams is in this area."]},
        )
    return (AreaKind.CIRCLE if circle is not None else AreaKind.POLYGON), area.geojson, found


def _pause(turf_ids: set[int], now: Any) -> None:
    """Lock the turfs (id order: no deadlock with a lift), pause them, and restamp their open
    assignments so every phone holding one receives it again on its next pull."""
    list(Turf.objects.select_for_update().filter(pk__in=turf_ids).order_by("pk").values("pk"))
    Turf.objects.filter(pk__in=turf_ids, paused_at__isnull=True).update(paused_at=now)
    TurfAssignment.objects.filter(turf_id__in=turf_ids, unassigned_at__isnull=True).update(
        updated_at=now
    )


def incident_declare(
    *,
    actor: User,
    kind: str,
    instruction: str,
    polygon: Any = None,
    circle: Circle | None = None,
    turf_ids: list[int] | None = None,
    ip_address: str | None = None,
) -> Incident:
    """Declare an incident over exactly one of a GeoJSON polygon, a circle or a list of turf
    ids, limited to the actor's teams' turf (organizers: all). At once, in one transaction:
    every turf in the area is paused and every canvasser working there (`incident_recipients`)
    gets a safety text in their language. Nothing is stored or sent when the input is refused:
    a bad polygon (400 `invalid_geometry`), an area with no turf of the actor's teams (400
    `empty_area`), an unknown or another team's turf (404), an instruction that names anyone's
    immigration status (400, as notes)."""
    _check_role(actor)
    if kind not in IncidentKind.values:
        raise ApplicationError("Unknown kind.", fields={"kind": ["Not a kind of incident."]})
    text = _instruction(instruction)
    area_kind, area, turfs = _area_turfs(actor, polygon=polygon, circle=circle, turf_ids=turf_ids)
    now = timezone.now()
    with transaction.atomic():
        _pause(turfs, now)
        incident = Incident.objects.create(
            kind=kind,
            instruction=text,
            area_kind=area_kind,
            area=area,
            center_latitude=circle.latitude if circle else None,
            center_longitude=circle.longitude if circle else None,
            radius_m=circle.radius_m if circle else None,
            declared_by=actor,
            declared_at=now,
        )
        IncidentTurf.objects.bulk_create(
            [IncidentTurf(incident=incident, turf_id=t) for t in sorted(turfs)]
        )
        names = dict(Turf.objects.filter(pk__in=turfs).values_list("id", "name"))
        recipients = incident_recipients(turf_ids=turfs)
        incident.notified_count, incident.unreachable_count = _notify(
            incident, recipients, names, lifted=False
        )
        incident.save(update_fields=["notified_count", "unreachable_count"])
        audit_record(
            actor=actor,
            action="incident.declare",
            target=incident,
            ip_address=ip_address,
            details={
                "kind": kind,
                "area_kind": area_kind,
                "turfs": sorted(turfs),
                "recipients": len(recipients),
                "texts_queued": incident.notified_count,
            },
        )
    return incident


# --- Lifting --------------------------------------------------------------------------------


def incident_lift(*, actor: User, incident_id: int, ip_address: str | None = None) -> Incident:
    """Lift an active incident: its turfs resume unless another active incident covers them,
    and everyone told of it is told it is over. Field leads lift incidents on their teams' turf
    only (another team's: 404; one that also covers other teams' turf: 403, an organizer's
    call). A second lift is a 409 with nothing sent."""
    _check_role(actor)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
        turf_ids = (
            set(incident.incident_turfs.values_list("turf_id", flat=True)) if incident else set()
        )
        managed = set(_managed_turfs(actor).filter(pk__in=turf_ids).values_list("id", flat=True))
        if incident is None or not managed:
            raise NotFoundError("Not found.")
        if managed != turf_ids:
            raise PermissionDeniedError(
                "This incident also covers other teams' turf: an organizer lifts it."
            )
        if incident.lifted_at is not None:
            raise IncidentLiftedError("This incident was already lifted.")
        now = timezone.now()
        incident.lifted_at, incident.lifted_by = now, actor
        # Lock order as a declaration: turf rows by id, after the incident row.
        list(Turf.objects.select_for_update().filter(pk__in=turf_ids).order_by("pk").values("pk"))
        still_covered = set(
            IncidentTurf.objects.filter(turf_id__in=turf_ids, incident__lifted_at__isnull=True)
            .exclude(incident=incident)
            .values_list("turf_id", flat=True)
        )
        resumed = turf_ids - still_covered
        Turf.objects.filter(pk__in=resumed).update(paused_at=None)
        TurfAssignment.objects.filter(turf_id__in=resumed, unassigned_at__isnull=True).update(
            updated_at=now
        )
        told = set(
            incident.notices.filter(kind=NoticeKind.DECLARED).values_list("user_id", flat=True)
        )
        names = dict(Turf.objects.filter(pk__in=turf_ids).values_list("id", "name"))
        # The same people, each with the same turfs as in the first text.
        recipients = incident_recipients_for_lift(incident, told)
        incident.lift_notified_count, _ = _notify(incident, recipients, names, lifted=True)
        incident.save(update_fields=["lifted_at", "lifted_by", "lift_notified_count"])
        audit_record(
            actor=actor,
            action="incident.lift",
            target=incident,
            ip_address=ip_address,
            details={
                "turfs_resumed": sorted(resumed),
                "turfs_still_paused": sorted(still_covered & turf_ids),
                "recipients": len(recipients),
                "texts_queued": incident.lift_notified_count,
            },
        )
    return incident


def incident_recipients_for_lift(
    incident: Incident, user_ids: set[int]
) -> list[tuple[User, list[int]]]:
    """The people told of the incident, with the incident's turfs they held when told (all of
    its turfs for someone unassigned since)."""
    all_turfs = sorted(incident.incident_turfs.values_list("turf_id", flat=True))
    held: dict[int, list[int]] = {}
    held_then = TurfAssignment.objects.filter(
        Q(unassigned_at__isnull=True) | Q(unassigned_at__gt=incident.declared_at),
        canvasser_id__in=user_ids,
        turf_id__in=all_turfs,
        assigned_at__lte=incident.declared_at,
    )
    for user_id, turf_id in held_then.values_list("canvasser_id", "turf_id"):
        held.setdefault(user_id, []).append(turf_id)
    users = User.objects.filter(pk__in=user_ids).order_by("pk")
    return [(user, sorted(set(held.get(user.pk, all_turfs)))) for user in users]
