"""Import jobs (voter file, caucus sites), the geocoding retry and placing a door by hand."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Team, User
from backend.api.errors import ApplicationError
from backend.api.permissions import IsFieldLeadOrOrganizer, IsOrganizer
from canvass import selectors
from canvass.api import import_serializers as s
from canvass.models import ImportKind
from canvass.services import geocoding
from canvass.services.import_jobs import import_job_create

REPORT_PAGE_SIZE = 100
MAX_REPORT_PAGE_SIZE = 1000


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _job_team(user: User, team_id: int | None) -> Team | None:
    """The team the job belongs to: the one named (a field lead must be in it), else the field
    lead's first team; organizers may leave it empty."""
    teams = Team.objects.all() if user.is_organizer else Team.objects.filter(memberships__user=user)
    if team_id is not None:
        team = teams.filter(pk=team_id).first()
        if team is None:
            raise ApplicationError("No such team.", fields={"team": ["No such team."]})
        return team
    return None if user.is_organizer else teams.order_by("id").first()


class _UploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    kind: str = ImportKind.VOTERS

    def post(self, request: Request) -> Response:
        data = s.ImportUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        user = _user(request)
        with transaction.atomic():
            job = import_job_create(
                actor=user,
                kind=self.kind,
                upload=upload,
                source_name=upload.name or "",
                team=_job_team(user, data.validated_data.get("team")),
            )
        job.refresh_from_db()  # the task ran inline after commit when no broker is configured
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class VoterImportView(_UploadView):
    """Upload a voter-file CSV (multipart `file`, optional `team`): 202 with the import job;
    follow it at GET /api/imports/{id}. A file that cannot be imported at all is a 400."""

    permission_classes = [IsFieldLeadOrOrganizer]
    kind = ImportKind.VOTERS

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadInputSerializer},
        responses={202: s.ImportJobSerializer},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class SiteImportView(_UploadView):
    """Upload a caucus-site CSV (organizers): 202 with the import job."""

    permission_classes: list[type[BasePermission]] = [IsOrganizer]
    kind = ImportKind.SITES

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadInputSerializer},
        responses={202: s.ImportJobSerializer},
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class ImportJobView(APIView):
    """An import job: state, counts, ETA and its per-row report (`?page=`, `?page_size=`).
    Another team's job is a 404."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False),
        ],
        responses={200: s.ImportJobDetailSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(selectors.import_jobs_for_user(user=_user(request)), pk=pk)
        page_number = _positive(request, "page", 1)
        page_size = min(_positive(request, "page_size", REPORT_PAGE_SIZE), MAX_REPORT_PAGE_SIZE)
        paginator = Paginator(job.problems.order_by("line", "id"), page_size)
        try:
            page = paginator.page(page_number)
        except EmptyPage:
            raise ValidationError({"page": ["No such page."]}) from None
        report: dict[str, Any] = {
            "count": paginator.count,
            "page": page_number,
            "pages": paginator.num_pages,
            "results": s.ImportJobProblemSerializer(page.object_list, many=True).data,
        }
        serializer = s.ImportJobDetailSerializer(job, context={"report_page": report})
        return Response(serializer.data)


def _positive(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationError({name: ["Must be a positive integer."]})
    return int(raw)


class GeocodePendingView(APIView):
    """Retry geocoding of the doors that are pending or failed, now (in the background)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=None, responses={202: s.GeocodePendingOutputSerializer})
    def post(self, request: Request) -> Response:
        from canvass.tasks import geocode_pending_task

        waiting = geocoding.households_waiting_for_geocoding()
        if waiting:
            geocode_pending_task.delay()
        body = {"waiting": waiting, "started": bool(waiting)}
        return Response(
            s.GeocodePendingOutputSerializer(body).data, status=status.HTTP_202_ACCEPTED
        )


class HouseholdPlaceView(APIView):
    """Place a door by hand (`latitude`, `longitude`): for a needs-review or failed door, or a
    correction. Audited. A door in another team's active turf is a 404."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(
        request=s.HouseholdPlaceInputSerializer, responses={200: s.HouseholdPlacedSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        household = get_object_or_404(selectors.households_placeable_by(user=user), pk=pk)
        data = s.HouseholdPlaceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = geocoding.household_place(
            actor=user,
            household=household,
            latitude=data.validated_data["latitude"],
            longitude=data.validated_data["longitude"],
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        return Response(s.HouseholdPlacedSerializer(household).data)
