"""Caucuses: organizers set them up and link precincts to sites; field leads read them and their
board; anyone asks where to caucus."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer, IsOrganizer
from backend.api.views import ApiView, ListApiView
from backend.errors import ApplicationError
from events.api.permissions import IsOrganizerOrReadOnlyStaff
from events.api.serializers import caucuses as s
from events.errors import GeocoderUnavailableError
from events.models import Caucus
from events.selectors.caucuses import (
    caucus_board,
    caucus_from_input,
    caucus_get,
    caucus_sites,
    caucuses_list,
    where_do_i_caucus,
)
from events.selectors.locations import locations_list
from events.services.caucuses import (
    caucus_create,
    caucus_precinct_link,
    caucus_precinct_unlink,
    caucus_site_create,
    caucus_sites_import,
)


def _location(location_id: int) -> Any:
    location = locations_list().filter(pk=location_id).first()
    if location is None:
        raise ApplicationError("No such location.", fields={"location": ["No such location."]})
    return location


def _precinct_id(precinct_id: int) -> int:
    from canvass.selectors.precincts import precinct_by_id

    precinct = precinct_by_id(precinct_id=precinct_id)
    assert precinct is not None
    return int(precinct.pk)


class CaucusListView(ListApiView):
    """Caucuses, soonest first (organizers and field leads read; organizers create one for a
    local date and start time in its time zone)."""

    permission_classes = [IsOrganizerOrReadOnlyStaff]
    serializer_class = s.CaucusSerializer
    queryset = Caucus.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return caucuses_list()

    @extend_schema(request=s.CaucusInputSerializer, responses={201: s.CaucusSerializer})
    def post(self, request: Request) -> Response:
        data = s.CaucusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        caucus = caucus_create(actor=self.actor, **data.validated_data)
        return Response(
            s.CaucusSerializer(caucus_get(caucus_id=caucus.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class CaucusDetailView(ApiView):
    """One caucus with its sites and the precincts each serves."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.CaucusDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        caucus = caucus_get(caucus_id=pk)
        sites = list(caucus_sites(caucus=caucus))
        return Response(s.CaucusDetailSerializer(caucus, context={"sites": sites}).data)


class CaucusSiteCreateView(ApiView):
    """Make a location a site of the caucus (organizers); a satellite site with its kind and
    eligibility notes."""

    permission_classes: list[type[BasePermission]] = [IsOrganizer]
    extra_error_codes = ["409"]

    @extend_schema(request=s.CaucusSiteInputSerializer, responses={201: s.CaucusSiteSerializer})
    def post(self, request: Request, pk: int) -> Response:
        caucus = caucus_get(caucus_id=pk)
        data = s.CaucusSiteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        site = caucus_site_create(
            actor=self.actor, caucus=caucus, location=_location(values.pop("location")), **values
        )
        site = caucus_sites(caucus=caucus).get(pk=site.pk)
        return Response(s.CaucusSiteSerializer(site).data, status=status.HTTP_201_CREATED)


def _link_data(caucus: Caucus, link: Any) -> dict[str, Any]:
    return {
        "caucus": caucus.pk,
        "precinct": link.precinct_id,
        "site": link.site_id,
        "location": link.site.location_id,
        "origin": link.source,
    }


class CaucusLinkView(ApiView):
    """Link a precinct to its site for this caucus by hand (organizers, audited). A precinct
    linked elsewhere is a 409; a satellite caucus takes no precinct (400)."""

    permission_classes: list[type[BasePermission]] = [IsOrganizer]
    extra_error_codes = ["409"]

    @extend_schema(request=s.CaucusLinkInputSerializer, responses={201: s.CaucusLinkSerializer})
    def post(self, request: Request, pk: int) -> Response:
        caucus = caucus_get(caucus_id=pk)
        data = s.CaucusLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        location = _location(data.validated_data["location"])
        precinct_id = _precinct_id(data.validated_data["precinct"])
        link = caucus_precinct_link(
            actor=self.actor, caucus=caucus, precinct_id=precinct_id, location=location
        )
        return Response(
            s.CaucusLinkSerializer(_link_data(caucus, link)).data, status=status.HTTP_201_CREATED
        )


class CaucusUnlinkView(ApiView):
    """Take a precinct off its site for this caucus (organizers, audited)."""

    permission_classes: list[type[BasePermission]] = [IsOrganizer]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, precinct: int) -> Response:
        caucus = caucus_get(caucus_id=pk)
        caucus_precinct_unlink(actor=self.actor, caucus=caucus, precinct_id=precinct)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaucusSitesImportView(ApiView):
    """Upload the polling-place CSV (multipart `file`, `dry_run`): every row matched to the
    precinct layer; unless a dry run, its sites imported and matched precincts linked (a
    precinct that already has a site keeps it). Answers the match report."""

    permission_classes: list[type[BasePermission]] = [IsOrganizer]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.SitesImportInputSerializer},
        responses={200: s.MatchReportSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        caucus = caucus_get(caucus_id=pk)
        data = s.SitesImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = caucus_sites_import(
            actor=self.actor,
            caucus=caucus,
            stream=data.validated_data["file"],
            dry_run=data.validated_data["dry_run"],
        )
        report = outcome.report.as_dict()
        report["summary"].update(linked=outcome.linked, kept=outcome.kept)
        return Response(s.MatchReportSerializer(report).data)


class CaucusMatchReportView(ApiView):
    """The last import's match report (organizers), optionally only one `status`."""

    permission_classes: list[type[BasePermission]] = [IsOrganizer]

    @extend_schema(
        parameters=[s.MatchReportFilterSerializer], responses={200: s.MatchReportSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        caucus = caucus_get(caucus_id=pk)
        query = s.MatchReportFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = caucus.match_report or {
            "summary": {"rows": 0, "matched": 0, "ambiguous": 0, "unmatched": 0},
            "rows": [],
        }
        wanted = query.validated_data.get("status")
        rows = [row for row in report["rows"] if not wanted or row["status"] == wanted]
        return Response(s.MatchReportSerializer({"summary": report["summary"], "rows": rows}).data)


class CaucusBoardView(ApiView):
    """The caucus-night board: per site, its precincts, shifts (confirmed, checked in) and the
    supporters and pledges from doors in its precincts. Field leads see only the sites serving
    precincts their teams' turf covers; volunteer names only on their teams' events."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(responses={200: s.CaucusBoardSerializer})
    def get(self, request: Request, pk: int) -> Response:
        caucus = caucus_get(caucus_id=pk)
        return Response(s.CaucusBoardSerializer(caucus_board(user=self.actor, caucus=caucus)).data)


class WhereDoICaucusView(ApiView):
    """Public: the precinct at `lat`/`lng` (or at an `address`, through the geocoder) and its
    caucus site, address and local start time for the next precinct caucus (or `caucus`)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    extra_error_codes = ["503"]

    @extend_schema(
        parameters=[s.WhereDoICaucusInputSerializer],
        responses={200: s.WhereDoICaucusSerializer},
    )
    def get(self, request: Request) -> Response:
        query = s.WhereDoICaucusInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        caucus = caucus_from_input(caucus_id=values.get("caucus"))
        if "address" in values:
            latitude, longitude = _geocode(values["address"])
        else:
            latitude, longitude = values["lat"], values["lng"]
        answer = where_do_i_caucus(latitude=latitude, longitude=longitude, caucus=caucus)
        return Response(s.WhereDoICaucusSerializer(answer).data)


def _geocode(address: str) -> tuple[float, float]:
    from backend.geo.services import GeocodingUnavailableError, geocode_address

    try:
        result = geocode_address(address)
    except GeocodingUnavailableError:
        raise GeocoderUnavailableError(
            "The address lookup is unavailable right now; try again later or give lat and lng.",
            fields={"address": ["Cannot look addresses up right now."]},
        ) from None
    if result is None or result.latitude is None or result.longitude is None:
        raise ApplicationError(
            "We could not find that address; check it or give lat and lng.",
            fields={"address": ["Address not found."]},
        )
    return result.latitude, result.longitude
