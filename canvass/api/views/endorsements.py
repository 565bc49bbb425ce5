"""Endorsements: the public form, list and confirmation link (no login); organizers' list,
detail, hide and restore; inviting consenting endorsers to an event's shifts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.pagination import PageNumberPagination
from backend.api.permissions import IsOrganizer
from backend.api.views import ApiView, ListApiView
from canvass.api.serializers import endorsements as s
from canvass.api.throttles import EndorsementIpThrottle, EndorsementPhoneThrottle
from canvass.models import Endorsement, EndorsementStatus, EndorserKind
from canvass.selectors.endorsements import (
    endorsement_counts,
    endorsements_for_user,
    endorsements_public,
)
from canvass.services import endorsements as services

KIND_PARAMETER = OpenApiParameter(
    "kind", OpenApiTypes.STR, enum=EndorserKind.values, description="Only people or organizations."
)


def _kind(request: Request) -> str | None:
    from backend.errors import ApplicationError

    kind = request.query_params.get("kind") or None
    if kind is not None and kind not in EndorserKind.values:
        raise ApplicationError("Unknown kind.", fields={"kind": ["person or organization."]})
    return kind


class PublicEndorsementsView(ApiView):
    """POST: endorse the platform (no account; double opt-in, see docs/endorsements.md).
    GET: the confirmed, listed, unhidden endorsements and the counts per county and plank."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    extra_error_codes = {"post": ["409"]}

    def get_throttles(self) -> list[Any]:
        if self.request.method == "POST":
            return [EndorsementIpThrottle(), EndorsementPhoneThrottle()]
        return super().get_throttles()

    @extend_schema(
        parameters=[KIND_PARAMETER], responses={200: s.PublicEndorsementPageSerializer}, auth=[]
    )
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(endorsements_public(kind=_kind(request)), request, self)
        counts = endorsement_counts()
        assert paginator.page is not None
        return Response(
            {
                "counts": s.EndorsementCountsSerializer(counts).data,
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": s.PublicEndorsementSerializer(page, many=True).data,
            }
        )

    @extend_schema(
        request=s.EndorsementInputSerializer,
        responses={201: s.EndorsementCreatedSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = s.EndorsementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.endorsement_create(source_ip=self.client_ip, **data.validated_data)
        endorsement = created.endorsement
        channels = (("sms", created.texted), ("email", created.emailed))
        answer = {
            "id": endorsement.pk,
            "kind": endorsement.kind,
            "status": endorsement.status,
            "planks": [plank.code for plank in endorsement.planks.all()],
            "confirm_by": [channel for channel, used in channels if used],
            "expires_at": endorsement.expires_at,
        }
        return Response(s.EndorsementCreatedSerializer(answer).data, status=status.HTTP_201_CREATED)


class EndorsementConfirmView(ApiView):
    """The signed confirmation link. GET says what it would confirm and changes nothing (mail
    scanners open links); POST confirms (idempotent)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: s.EndorsementLinkSerializer}, auth=[])
    def get(self, request: Request, token: str) -> Response:
        return Response(self._render(services.endorsement_from_token(token)))

    @extend_schema(request=None, responses={200: s.EndorsementLinkSerializer}, auth=[])
    def post(self, request: Request, token: str) -> Response:
        return Response(self._render(services.endorsement_confirm_by_link(token=token)))

    def _render(self, endorsement: Endorsement) -> dict[str, Any]:
        return {
            "kind": endorsement.kind,
            "status": endorsement.status,
            "planks": [plank.code for plank in endorsement.planks.all()],
        }


class EndorsementListView(ListApiView):
    """Every endorsement with full data, for organizers moderating (filters: status, kind,
    hidden)."""

    permission_classes = [IsOrganizer]
    serializer_class = s.EndorsementSerializer
    queryset = Endorsement.objects.none()

    @extend_schema(
        parameters=[
            KIND_PARAMETER,
            OpenApiParameter("status", OpenApiTypes.STR, enum=EndorsementStatus.values),
            OpenApiParameter("hidden", OpenApiTypes.BOOL),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        from backend.errors import ApplicationError

        params = self.request.query_params
        status_value = params.get("status") or None
        if status_value is not None and status_value not in EndorsementStatus.values:
            raise ApplicationError("Unknown status.", fields={"status": ["pending or confirmed."]})
        hidden_raw = params.get("hidden")
        hidden = None
        if hidden_raw is not None:
            if hidden_raw not in ("true", "false"):
                raise ApplicationError("Unknown value.", fields={"hidden": ["true or false."]})
            hidden = hidden_raw == "true"
        return endorsements_for_user(
            user=self.actor, status=status_value, kind=_kind(self.request), hidden=hidden
        )


class EndorsementDetailView(ApiView):
    """One endorsement with full data (organizers)."""

    permission_classes = [IsOrganizer]

    @extend_schema(responses={200: s.EndorsementSerializer})
    def get(self, request: Request, pk: int) -> Response:
        endorsement = self.get_or_404(endorsements_for_user(user=self.actor), pk=pk)
        return Response(s.EndorsementSerializer(endorsement).data)


class _ModerationView(ApiView):
    permission_classes = [IsOrganizer]
    extra_error_codes = ["409"]
    hide = True

    def post(self, request: Request, pk: int) -> Response:
        endorsement = self.get_or_404(endorsements_for_user(user=self.actor), pk=pk)
        data = s.ModerationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.endorsement_hide if self.hide else services.endorsement_restore
        action(
            actor=self.actor,
            endorsement=endorsement,
            reason=data.validated_data["reason"],
            ip_address=self.client_ip,
        )
        fresh = self.get_or_404(endorsements_for_user(user=self.actor), pk=pk)
        return Response(s.EndorsementSerializer(fresh).data)


class EndorsementHideView(_ModerationView):
    """Take an endorsement off the public list and counts, with a reason (audited)."""

    hide = True

    @extend_schema(request=s.ModerationInputSerializer, responses={200: s.EndorsementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class EndorsementRestoreView(_ModerationView):
    """Put a hidden endorsement back, with a reason (audited)."""

    hide = False

    @extend_schema(request=s.ModerationInputSerializer, responses={200: s.EndorsementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class EndorsementInvitationsView(ApiView):
    """Text every confirmed endorser who asked for shift invitations an invitation to one
    event's shifts (once per endorser and event). Endorsement-only consent gets nothing."""

    permission_classes = [IsOrganizer]

    @extend_schema(
        request=s.InvitationInputSerializer, responses={201: s.InvitationReportSerializer}
    )
    def post(self, request: Request) -> Response:
        data = s.InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.endorsers_invite_to_event(
            actor=self.actor, event_id=data.validated_data["event"], ip_address=self.client_ip
        )
        return Response(s.InvitationReportSerializer(report).data, status=status.HTTP_201_CREATED)
