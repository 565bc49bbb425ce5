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


def precinct_outlines(*, county: str) -> QuerySet[Precinct]:
    """One county's precincts with their boundaries (the console's map draws them)."""
    from canvass.geometry import match_key

    return Precinct.objects.filter(county_key=match_key(county)).order_by("name")
