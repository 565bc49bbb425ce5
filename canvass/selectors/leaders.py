"""Reads of the leaders' scorecard: the staff list, the public scorecard (published leaders
only) and the leaders relevant to a canvasser's turf (for the pull)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from backend.geo.counties import canonical_county
from canvass.models import Jurisdiction, Leader, LeaderPosition, LeaderPositionChange, Turf


def _with_positions(leaders: QuerySet[Leader]) -> QuerySet[Leader]:
    return leaders.select_related("precinct").prefetch_related(
        Prefetch(
            "positions",
            queryset=LeaderPosition.objects.select_related("plank").order_by(
                "plank__position", "plank_id"
            ),
        )
    )


def _filtered(
    leaders: QuerySet[Leader], *, race: str = "", county: str = "", jurisdiction: str = ""
) -> QuerySet[Leader]:
    if race:
        leaders = leaders.filter(office__iexact=race.strip())
    if county:
        leaders = leaders.filter(county=canonical_county(county))
    if jurisdiction:
        leaders = leaders.filter(jurisdiction=jurisdiction)
    return leaders


def leaders_for_staff(
    *, race: str = "", county: str = "", jurisdiction: str = "", published: bool | None = None
) -> QuerySet[Leader]:
    """Organizers and field leads: every leader, published or not (the scorecard is the
    campaign's, not a team's)."""
    leaders = _filtered(Leader.objects.all(), race=race, county=county, jurisdiction=jurisdiction)
    if published is not None:
        leaders = leaders.filter(published=published)
    return _with_positions(leaders.order_by("office", "name", "id"))


def leader_for_staff(*, pk: int) -> QuerySet[Leader]:
    return _with_positions(Leader.objects.filter(pk=pk))


def leaders_public(*, race: str = "", county: str = "", jurisdiction: str = "") -> QuerySet[Leader]:
    """Published leaders with their positions (every position has its source: the database
    refuses one without)."""
    leaders = _filtered(
        Leader.objects.filter(published=True), race=race, county=county, jurisdiction=jurisdiction
    )
    return _with_positions(leaders.order_by("office", "name", "id"))


def leader_history(*, leader: Leader) -> QuerySet[LeaderPositionChange]:
    return leader.position_changes.select_related("plank", "changed_by").order_by(
        "changed_at", "id"
    )


# --- Leaders a canvasser's held turfs need (the pull) ---------------------------------------


@dataclass(frozen=True)
class TurfPlace:
    """Where a held turf is: its precinct, the precinct's county and district."""

    turf: int
    precinct: int | None
    county: str
    district: str


def turf_places(turf_ids: Iterable[int]) -> list[TurfPlace]:
    rows = Turf.objects.filter(pk__in=list(turf_ids)).values_list(
        "id", "precinct_id", "precinct__county", "precinct__district"
    )
    return [
        TurfPlace(turf, precinct, canonical_county(county or ""), (district or "").strip().upper())
        for turf, precinct, county, district in rows
    ]


def relevant_to(places: list[TurfPlace]) -> Q:
    """Published leaders whose jurisdiction covers one of `places`: state-wide ones, the
    precincts' counties and districts, the precincts themselves."""
    condition = Q(jurisdiction=Jurisdiction.STATE)
    counties = {p.county for p in places if p.county}
    districts = {p.district for p in places if p.district}
    precincts = {p.precinct for p in places if p.precinct}
    if counties:
        condition |= Q(jurisdiction=Jurisdiction.COUNTY, county__in=counties)
    for district in sorted(districts):
        condition |= Q(jurisdiction=Jurisdiction.DISTRICT, district__iexact=district)
    if precincts:
        condition |= Q(jurisdiction=Jurisdiction.PRECINCT, precinct_id__in=precincts)
    return Q(published=True) & condition


def turfs_of(leader: Leader, places: list[TurfPlace]) -> list[int]:
    """The held turfs `leader` matters to (empty: none; the phone drops the leader)."""
    if not leader.published:
        return []
    found = []
    for place in places:
        if (
            leader.jurisdiction == Jurisdiction.STATE
            or (leader.jurisdiction == Jurisdiction.COUNTY and leader.county == place.county)
            or (
                leader.jurisdiction == Jurisdiction.DISTRICT
                and leader.district.strip().upper() == place.district
                and bool(place.district)
            )
            or (
                leader.jurisdiction == Jurisdiction.PRECINCT
                and leader.precinct_id == place.precinct
            )
        ):
            found.append(place.turf)
    return sorted(found)


def leaders_for_turfs(turf_ids: Iterable[int]) -> tuple[list[TurfPlace], Q]:
    places = turf_places(turf_ids)
    return places, relevant_to(places)


def with_positions(leaders: QuerySet[Leader]) -> QuerySet[Leader]:
    """Leaders with their precinct and positions (with planks), in two extra queries."""
    return _with_positions(leaders)


def position_as_dict(position: LeaderPosition) -> dict[str, Any]:
    return {
        "plank": position.plank.code,
        "title_en": position.plank.title_en,
        "title_es": position.plank.title_es,
        "stance": position.stance,
        "summary": position.summary,
        "source_url": position.source_url,
        "source_date": position.source_date,
    }


def leader_as_dict(leader: Leader) -> dict[str, Any]:
    """A leader as the public scorecard and phones show them."""
    precinct = leader.precinct
    return {
        "id": leader.pk,
        "name": leader.name,
        "office": leader.office,
        "party": leader.party,
        "jurisdiction": leader.jurisdiction,
        "county": leader.county,
        "district": leader.district,
        "precinct": {"id": precinct.pk, "county": precinct.county, "name": precinct.name}
        if precinct
        else None,
        "positions": [position_as_dict(p) for p in leader.positions.all()],
    }
