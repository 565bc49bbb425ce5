"""Turf writes: create from a polygon, cut automatically, order the walk, status, assignment."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from shapely.geometry import MultiPoint, Polygon

from backend.accounts.models import Membership, Role, Team, User
from backend.accounts.selectors import teams_for_user
from backend.audit.services import audit_record
from backend.errors import ApplicationError, NotFoundError
from canvass.errors import (
    AlreadyAssignedError,
    HouseholdInActiveTurfError,
    InvalidGeometryError,
    InvalidStatusChangeError,
    NoHouseholdsError,
    TeamNotAllowedError,
    TurfCompletedError,
)
from canvass.geometry import AreaGeometry, GeometryError, parse_area, points_inside
from canvass.models import (
    Household,
    Precinct,
    Turf,
    TurfAssignment,
    TurfHousehold,
    TurfStatus,
)
from canvass.routing import cut_into_pieces, route_length, walk_order


def _check_team(actor: User, team: Team) -> None:
    if not teams_for_user(user=actor).filter(pk=team.pk).exists():
        raise TeamNotAllowedError(
            "You can only manage turf for your own team.", fields={"team": ["Not your team."]}
        )


def households_available() -> QuerySet[Household]:
    """Households with coordinates that are in no active turf."""
    return Household.objects.filter(latitude__isnull=False, longitude__isnull=False).exclude(
        Exists(TurfHousehold.objects.filter(household=OuterRef("pk"), active=True))
    )


def _area_or_error(boundary: Any) -> AreaGeometry:
    try:
        return parse_area(boundary, repair=False)
    except GeometryError as exc:
        raise InvalidGeometryError(str(exc), fields={"boundary": [str(exc)]}) from None


def _households_in_area(area: AreaGeometry, queryset: QuerySet[Household]) -> list[Household]:
    min_lat, max_lat, min_lon, max_lon = area.bbox
    candidates = list(
        queryset.filter(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
        )
        .order_by("id")
        .only("id", "latitude", "longitude")
    )
    inside = set(
        points_inside(area.geometry, ((h.pk, h.latitude, h.longitude) for h in candidates))  # type: ignore[misc]
    )
    return [h for h in candidates if h.pk in inside]


def _ordered(households: list[Household]) -> list[Household]:
    points = [(h.latitude, h.longitude) for h in households]
    return [households[i] for i in walk_order(points)]  # type: ignore[arg-type]


def _add_stops(turf: Turf, households: list[Household]) -> None:
    try:
        with transaction.atomic():
            TurfHousehold.objects.bulk_create(
                [
                    TurfHousehold(turf=turf, household=household, position=index)
                    for index, household in enumerate(_ordered(households), start=1)
                ],
                batch_size=1000,
            )
    except IntegrityError:
        # The partial unique index caught a concurrent cut taking some of the same doors.
        raise HouseholdInActiveTurfError(
            "Some of these households were just put in another turf; try again."
        ) from None


def turf_create_from_area(
    *,
    actor: User,
    team: Team,
    name: str,
    boundary: Any,
    precinct: Precinct | None = None,
) -> Turf:
    """Create a turf from a GeoJSON polygon: every available household inside it (holes
    excluded) joins, in walking order. Self-intersecting or out-of-range polygons are a 400."""
    _check_team(actor, team)
    area = _area_or_error(boundary)
    with transaction.atomic():
        turf = Turf.objects.create(
            name=name, team=team, precinct=precinct, boundary=area.geojson, created_by=actor
        )
        households = _households_in_area(area, households_available())
        _add_stops(turf, households)
        audit_record(
            actor=actor, action="turf.create", target=turf, details={"doors": len(households)}
        )
    return turf


def turf_auto_cut(
    *,
    actor: User,
    team: Team,
    precinct: Precinct | None = None,
    boundary: Any = None,
    min_doors: int = 40,
    max_doors: int = 60,
    name_prefix: str = "",
) -> list[Turf]:
    """Split the available households of a precinct or polygon into compact turfs.

    Recursive bisection along the longer side of each piece's bounding box gives contiguous,
    non-overlapping blocks of min_doors..max_doors households (fewer only when the whole area
    has fewer); every household lands in exactly one turf, each ordered as a walk.
    """
    _check_team(actor, team)
    if precinct is None and boundary is None:
        raise ApplicationError(
            "Give a precinct or a boundary to cut.",
            fields={"precinct": ["Give a precinct or a boundary."]},
        )
    if min_doors < 1 or max_doors < min_doors:
        raise ApplicationError(
            "min_doors must be at least 1 and at most max_doors.",
            fields={"min_doors": ["Must be between 1 and max_doors."]},
        )
    area = _area_or_error(boundary) if boundary is not None else None
    with transaction.atomic():
        queryset = households_available()
        if precinct is not None:
            queryset = queryset.filter(precinct=precinct)
        if area is not None:
            households = _households_in_area(area, queryset)
        else:
            households = list(queryset.order_by("id").only("id", "latitude", "longitude"))
        if not households:
            raise NoHouseholdsError(
                "There are no unassigned households with coordinates in that area."
            )
        points = [(h.latitude, h.longitude) for h in households]
        pieces = cut_into_pieces(points, min_size=min_doors, max_size=max_doors)  # type: ignore[arg-type]
        prefix = name_prefix or (precinct.name if precinct else "Turf")
        turfs: list[Turf] = []
        for number, piece in enumerate(pieces, start=1):
            members = [households[i] for i in piece]
            turf = Turf.objects.create(
                name=f"{prefix} {number:02d}"[:120],
                team=team,
                precinct=precinct,
                boundary=_hull([points[i] for i in piece]),  # type: ignore[misc]
                created_by=actor,
            )
            _add_stops(turf, members)
            turfs.append(turf)
        audit_record(
            actor=actor,
            action="turf.auto_cut",
            target_type="canvass.turf",
            details={
                "turfs": [t.pk for t in turfs],
                "doors": len(households),
                "precinct": precinct.pk if precinct else None,
            },
        )
    return turfs


def _hull(points: list[tuple[float, float]]) -> dict[str, Any] | None:
    """The convex hull of a cut piece as its boundary (None when it has no area)."""
    hull = MultiPoint([(lon, lat) for lat, lon in points]).convex_hull
    if not isinstance(hull, Polygon) or hull.area == 0:
        return None
    return {"type": "Polygon", "coordinates": [[list(xy) for xy in hull.exterior.coords]]}


def turf_order_walk(*, actor: User, turf: Turf) -> dict[str, float]:
    """Re-order the turf's active doors into a walking route; returns before/after metres."""
    with transaction.atomic():
        stops = list(
            TurfHousehold.objects.select_for_update()
            .filter(turf=turf, active=True)
            .select_related("household")
            .order_by("position")
        )
        located = [s for s in stops if s.household.latitude is not None]
        points = [(s.household.latitude, s.household.longitude) for s in located]
        before = route_length(points)  # type: ignore[arg-type]
        order = walk_order(points)  # type: ignore[arg-type]
        after = route_length(points, order)  # type: ignore[arg-type]
        ordered = [located[i] for i in order] + [s for s in stops if s.household.latitude is None]
        for position, stop in enumerate(ordered, start=1):
            stop.position = position
        TurfHousehold.objects.bulk_update(ordered, fields=["position"], batch_size=1000)
        Turf.objects.filter(pk=turf.pk).update(updated_at=timezone.now())
    return {"before_m": round(before, 1), "after_m": round(after, 1)}


ALLOWED_STATUS_CHANGES = {
    TurfStatus.DRAFT: {TurfStatus.ASSIGNED, TurfStatus.IN_PROGRESS, TurfStatus.COMPLETED},
    TurfStatus.ASSIGNED: {TurfStatus.DRAFT, TurfStatus.IN_PROGRESS, TurfStatus.COMPLETED},
    TurfStatus.IN_PROGRESS: {TurfStatus.ASSIGNED, TurfStatus.COMPLETED},
    TurfStatus.COMPLETED: set(),
}


def turf_status_set(*, actor: User, turf: Turf, status: str) -> Turf:
    """Move a turf to `status`. Completing frees its households for new turf (history kept)."""
    with transaction.atomic():
        turf = Turf.objects.select_for_update().get(pk=turf.pk)
        if status == turf.status:
            return turf
        if status not in ALLOWED_STATUS_CHANGES[TurfStatus(turf.status)]:
            raise InvalidStatusChangeError(
                f"A {turf.get_status_display().lower()} turf cannot become {status}.",
                fields={"status": ["Not allowed from the current status."]},
            )
        turf.status = status
        turf.save(update_fields=["status", "updated_at"])
        if status == TurfStatus.COMPLETED:
            TurfHousehold.objects.filter(turf=turf).update(active=False)
        audit_record(actor=actor, action="turf.status", target=turf, details={"status": status})
    return turf


def turf_assign(
    *, actor: User, turf: Turf, canvasser: User, ip_address: str | None = None
) -> TurfAssignment:
    """Assign a canvasser of the turf's team. Recorded with who and when; a draft turf becomes
    assigned. Assigning someone already assigned is a 409."""
    _check_team(actor, turf.team)
    if canvasser.role != Role.CANVASSER or not canvasser.is_active:
        raise ApplicationError(
            "Only active canvassers can be assigned turf.",
            fields={"canvasser": ["Not a canvasser."]},
        )
    if not Membership.objects.filter(team_id=turf.team_id, user=canvasser).exists():
        raise ApplicationError(
            "The canvasser is not in the turf's team.",
            fields={"canvasser": ["Not in the turf's team."]},
        )
    if turf.status == TurfStatus.COMPLETED:
        raise TurfCompletedError("This turf is completed.")
    try:
        with transaction.atomic():
            assignment = TurfAssignment.objects.create(
                turf=turf, canvasser=canvasser, assigned_by=actor, assigned_at=timezone.now()
            )
    except IntegrityError:
        raise AlreadyAssignedError("This canvasser is already assigned to this turf.") from None
    with transaction.atomic():
        if turf.status == TurfStatus.DRAFT:
            Turf.objects.filter(pk=turf.pk, status=TurfStatus.DRAFT).update(
                status=TurfStatus.ASSIGNED, updated_at=timezone.now()
            )
        audit_record(
            actor=actor,
            action="turf.assign",
            target=turf,
            ip_address=ip_address,
            details={"canvasser_id": canvasser.pk, "assignment_id": assignment.pk},
        )
    return assignment


def turf_unassign(
    *, actor: User, turf: Turf, canvasser_id: int, ip_address: str | None = None
) -> TurfAssignment:
    """Close the canvasser's open assignment (kept as history). A turf left with nobody goes
    back to draft if it was only assigned."""
    _check_team(actor, turf.team)
    with transaction.atomic():
        assignment = (
            TurfAssignment.objects.select_for_update()
            .filter(turf=turf, canvasser_id=canvasser_id, unassigned_at__isnull=True)
            .first()
        )
        if assignment is None:
            raise NotFoundError("This canvasser is not assigned to this turf.")
        assignment.unassigned_at = timezone.now()
        assignment.unassigned_by = actor
        assignment.save(update_fields=["unassigned_at", "unassigned_by", "updated_at"])
        still_open = TurfAssignment.objects.filter(turf=turf, unassigned_at__isnull=True).exists()
        if not still_open:
            Turf.objects.filter(pk=turf.pk, status=TurfStatus.ASSIGNED).update(
                status=TurfStatus.DRAFT, updated_at=timezone.now()
            )
        audit_record(
            actor=actor,
            action="turf.unassign",
            target=turf,
            ip_address=ip_address,
            details={"canvasser_id": canvasser_id, "assignment_id": assignment.pk},
        )
    return assignment
