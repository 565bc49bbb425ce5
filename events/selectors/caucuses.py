"""Reads of caucuses: the list, where a precinct caucuses, where-do-i-caucus and the board."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.errors import ApplicationError, NotFoundError
from events.models import (
    Caucus,
    CaucusKind,
    CaucusPrecinct,
    CaucusSite,
    EventStatus,
    Shift,
    ShiftStatus,
    Signup,
    SignupStatus,
)

# Signups that hold a place at a site on the night (attended = confirmed and then checked in).
CONFIRMED_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED)


def caucuses_list() -> QuerySet[Caucus]:
    """Every caucus (shared by all teams), soonest first."""
    return Caucus.objects.annotate(
        site_count=Count("sites", distinct=True),
        precinct_count=Count("precinct_links", distinct=True),
    ).order_by("starts_at", "id")


def caucus_get(*, caucus_id: int) -> Caucus:
    """One caucus by its URL id; unknown is a 404."""
    caucus = caucuses_list().filter(pk=caucus_id).first()
    if caucus is None:
        raise NotFoundError("No such caucus.")
    return caucus


def caucus_from_input(*, caucus_id: int | None) -> Caucus | None:
    """The caucus named by a query or body field; unknown is a 400 naming `caucus`."""
    if caucus_id is None:
        return None
    caucus = Caucus.objects.filter(pk=caucus_id).first()
    if caucus is None:
        raise ApplicationError("No such caucus.", fields={"caucus": ["No such caucus."]})
    return caucus


def local_today() -> date:
    return timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def next_caucus(*, kind: str = CaucusKind.PRECINCT) -> Caucus | None:
    """The next precinct caucus: today's (all day long, in Iowa's zone) or the first after."""
    return Caucus.objects.filter(kind=kind, date__gte=local_today()).order_by("date", "id").first()


def caucus_sites(*, caucus: Caucus) -> QuerySet[CaucusSite]:
    """The caucus's sites with their location and the precincts each serves."""
    return (
        CaucusSite.objects.filter(caucus=caucus)
        .select_related("location")
        .prefetch_related("precinct_links__precinct")
        .order_by("location__county", "location__name", "id")
    )


def caucus_site_get(*, caucus: Caucus, site_id: int) -> CaucusSite:
    site = caucus_sites(caucus=caucus).filter(pk=site_id).first()
    if site is None:
        raise NotFoundError("No such site of this caucus.")
    return site


def local_time(moment: datetime, zone: str) -> str:
    """The moment in the caucus's zone, with its offset of that day (DST-safe)."""
    return moment.astimezone(ZoneInfo(zone)).isoformat()


def caucus_brief(caucus: Caucus) -> dict[str, Any]:
    return {
        "id": caucus.pk,
        "name": caucus.name,
        "party": caucus.party,
        "kind": caucus.kind,
        "date": caucus.date.isoformat(),
        "starts_at": caucus.starts_at,
        "starts_at_local": local_time(caucus.starts_at, caucus.time_zone),
        "time_zone": caucus.time_zone,
    }


def site_brief(site: CaucusSite) -> dict[str, Any]:
    location = site.location
    return {
        "id": site.pk,
        "location": location.pk,
        "name": location.name,
        "address": location.address,
        "city": location.city,
        "zip_code": location.zip_code,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "accessibility_notes": location.accessibility_notes,
    }


def caucus_site_by_precinct(*, precinct_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For the next precinct caucus: precinct -> {"caucus", "site"} for each of these precincts
    that has a site. One or two queries, whatever the number of precincts."""
    caucus = next_caucus()
    if caucus is None or not precinct_ids:
        return {}
    links = CaucusPrecinct.objects.filter(
        caucus=caucus, precinct_id__in=precinct_ids
    ).select_related("site__location")
    brief = caucus_brief(caucus)
    return {link.precinct_id: {"caucus": brief, "site": site_brief(link.site)} for link in links}


def precincts_served_by_locations(
    *, location_days: dict[int, set[date]]
) -> dict[tuple[int, date], list[dict[str, Any]]]:
    """(location, local date) -> the precincts that location serves in the caucuses held that
    day, by county and name. One query for any number of locations."""
    if not location_days:
        return {}
    days = set().union(*location_days.values())
    links = (
        CaucusPrecinct.objects.filter(
            site__location_id__in=list(location_days), caucus__date__in=days
        )
        .select_related("precinct", "site", "caucus")
        .order_by("precinct__county", "precinct__name", "precinct_id")
    )
    out: dict[tuple[int, date], list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        key = (link.site.location_id, link.caucus.date)
        brief = {
            "id": link.precinct_id,
            "county": link.precinct.county,
            "name": link.precinct.name,
            "caucus": link.caucus_id,
        }
        if brief not in out[key]:
            out[key].append(brief)
    return out


def where_do_i_caucus(
    *, latitude: float, longitude: float, caucus: Caucus | None
) -> dict[str, Any]:
    """The precinct containing the point and its site for the caucus (the next precinct caucus
    when none is named). `precinct` and `site` are null when unknown."""
    from canvass.selectors.precincts import precinct_at_point

    caucus = caucus or next_caucus()
    precinct = precinct_at_point(latitude=latitude, longitude=longitude)
    site = None
    if caucus is not None and precinct is not None:
        link = (
            CaucusPrecinct.objects.filter(caucus=caucus, precinct=precinct)
            .select_related("site__location")
            .first()
        )
        site = site_brief(link.site) if link else None
    return {
        "latitude": latitude,
        "longitude": longitude,
        "caucus": caucus_brief(caucus) if caucus else None,
        "precinct": (
            {"id": precinct.pk, "county": precinct.county, "name": precinct.name}
            if precinct
            else None
        ),
        "site": site,
    }


# --- The caucus-night board -------------------------------------------------------------------


def _site_shifts(caucus: Caucus, location_ids: list[int]) -> dict[int, list[Shift]]:
    """Scheduled shifts of scheduled events at these locations on the caucus's local date."""
    zone = ZoneInfo(caucus.time_zone)
    day_start = datetime.combine(caucus.date, datetime.min.time(), tzinfo=zone)
    day_end = datetime.combine(caucus.date, datetime.max.time(), tzinfo=zone)
    shifts = (
        Shift.objects.filter(
            event__location_id__in=location_ids,
            event__status=EventStatus.SCHEDULED,
            status=ShiftStatus.SCHEDULED,
            starts_at__lte=day_end,
            ends_at__gte=day_start,
        )
        .select_related("event")
        .annotate(
            confirmed=Count("signups", filter=Q(signups__status__in=CONFIRMED_STATUSES)),
            checked_in=Count(
                "signups",
                filter=Q(
                    signups__status__in=CONFIRMED_STATUSES, signups__checked_in_at__isnull=False
                ),
            ),
        )
        .order_by("starts_at", "id")
    )
    out: dict[int, list[Shift]] = defaultdict(list)
    for shift in shifts:
        if shift.event.location_id is not None:
            out[shift.event.location_id].append(shift)
    return out


def _roster_teams(user: User) -> set[int] | None:
    """Teams whose rosters (names) the user may see: None for organizers (all)."""
    if user.role == Role.ORGANIZER:
        return None
    return set(user.memberships.values_list("team_id", flat=True))


def caucus_board(*, user: User, caucus: Caucus) -> dict[str, Any]:
    """The caucus-night board: per site, the precincts it serves, its shifts (confirmed and
    checked-in counts; volunteer names only where the user may read the event's roster) and the
    supporters and pledges logged at doors in those precincts.

    Organizers see every site; field leads only the sites serving a precinct their teams' turf
    covers (the others are absent)."""
    from canvass.selectors.reports import precinct_support_counts
    from canvass.selectors.turf import precincts_covered_by_teams

    covered = precincts_covered_by_teams(user=user)
    sites = list(caucus_sites(caucus=caucus))
    if covered is not None:
        sites = [
            site
            for site in sites
            if any(link.precinct_id in covered for link in site.precinct_links.all())
        ]
    precinct_ids = [link.precinct_id for site in sites for link in site.precinct_links.all()]
    support = precinct_support_counts(precinct_ids=precinct_ids)
    shifts = _site_shifts(caucus, [site.location_id for site in sites])
    roster_teams = _roster_teams(user)
    visible_shifts = [
        shift.pk
        for site_shifts in shifts.values()
        for shift in site_shifts
        if roster_teams is None or shift.event.team_id in roster_teams
    ]
    names: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for signup in (
        Signup.objects.filter(shift_id__in=visible_shifts, status__in=CONFIRMED_STATUSES)
        .select_related("volunteer")
        .order_by("shift_id", "position")
    ):
        names[signup.shift_id].append(
            {
                "signup": signup.pk,
                "name": signup.volunteer.name,
                "checked_in": signup.checked_in_at is not None,
            }
        )
    rows: list[dict[str, Any]] = []
    for site in sites:
        links = sorted(
            site.precinct_links.all(), key=lambda link: (link.precinct.county, link.precinct.name)
        )
        precincts: list[dict[str, Any]] = [
            {
                "id": link.precinct_id,
                "county": link.precinct.county,
                "name": link.precinct.name,
                **support[link.precinct_id],
            }
            for link in links
        ]
        site_shifts: list[dict[str, Any]] = [
            {
                "id": shift.pk,
                "event": shift.event_id,
                "event_title": shift.event.title,
                "role": shift.role,
                "starts_at": shift.starts_at,
                "starts_at_local": local_time(shift.starts_at, shift.event.time_zone),
                "capacity": shift.capacity,
                "confirmed": shift.confirmed,  # type: ignore[attr-defined]
                "checked_in": shift.checked_in,  # type: ignore[attr-defined]
                "volunteers": names.get(shift.pk, [])
                if roster_teams is None or shift.event.team_id in roster_teams
                else None,
            }
            for shift in shifts.get(site.location_id, [])
        ]
        rows.append(
            {
                "site": site_brief(site),
                "satellite_kind": site.satellite_kind,
                "precincts": precincts,
                "shifts": site_shifts,
                "totals": {
                    "confirmed": sum(s["confirmed"] for s in site_shifts),
                    "checked_in": sum(s["checked_in"] for s in site_shifts),
                    "supporters": sum(p["supporters"] for p in precincts),
                    "pledged": sum(p["pledged"] for p in precincts),
                },
            }
        )
    return {"caucus": caucus_brief(caucus), "sites": rows}
