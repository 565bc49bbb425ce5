"""Import job views: upload a voter file or caucus sites, follow the job and its report."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsFieldLeadOrOrganizer, IsOrganizer
from backend.api.views import ApiView
from canvass.api.serializers import imports as s
from canvass.models import ImportKind
from canvass.selectors.imports import import_job_problems_page, import_jobs_for_user
from canvass.services.import_jobs import import_job_upload


class _UploadView(ApiView):
    parser_classes = [MultiPartParser, FormParser]
    kind: str = ImportKind.VOTERS

    def post(self, request: Request) -> Response:
        data = s.ImportUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = import_job_upload(
            actor=self.actor,
            kind=self.kind,
            upload=data.validated_data["file"],
            team_id=data.validated_data.get("team"),
        )
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


class ImportJobView(ApiView):
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
        job = self.get_or_404(import_jobs_for_user(user=self.actor), pk=pk)
        paging = s.ImportReportPageInputSerializer(data=request.query_params)
        paging.is_valid(raise_exception=True)
        page = import_job_problems_page(job=job, **paging.validated_data)
        report = {**page, "results": s.ImportJobProblemSerializer(page["results"], many=True).data}
        serializer = s.ImportJobDetailSerializer(job, context={"report_page": report})
        return Response(serializer.data)
