"""Precinct reads: the list to choose what to cut from, and one precinct by id."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.errors import ApplicationError
from canvass.models import Precinct


def precincts_list(*, county: str | None = None) -> QuerySet[Precinct]:
    """Precincts (without their boundaries), optionally of one county matched loosely."""
    from canvass.geometry import match_key

    queryset = Precinct.objects.defer("boundary").order_by("county", "name")
    if county:
        queryset = queryset.filter(county_key=match_key(county))
    return queryset


def precinct_by_id(*, precinct_id: int | None) -> Precinct | None:
    """The precinct named by an input (none when none is named); an unknown id is a 400 naming
    the `precinct` field."""
    if precinct_id is None:
        return None
    precinct = Precinct.objects.filter(pk=precinct_id).first()
    if precinct is None:
        raise ApplicationError("No such precinct.", fields={"precinct": ["No such precinct."]})
    return precinct


def precinct_at_point(*, latitude: float, longitude: float) -> Precinct | None:
    """The precinct whose boundary contains the point (bbox prefilter, then shapely), if any."""
    from canvass.services.precincts import precinct_for_point

    return precinct_for_point(latitude=latitude, longitude=longitude)


def precinct_candidates() -> list[tuple[int, str, str, str]]:
    """Every precinct as (id, county, name, district), for matching files against the layer."""
    return list(Precinct.objects.order_by("id").values_list("id", "county", "name", "district"))


def precincts_by_ids(*, precinct_ids: list[int]) -> QuerySet[Precinct]:
    """These precincts (without their boundaries), by county and name."""
    return precincts_list().filter(pk__in=precinct_ids)


def precinct_outlines(*, county: str) -> QuerySet[Precinct]:
    """One county's precincts with their boundaries (the console's map draws them)."""
    from canvass.geometry import match_key

    return Precinct.objects.filter(county_key=match_key(county)).order_by("name")
