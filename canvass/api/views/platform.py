"""The platform's planks: any signed-in user lists them, organizers create and edit them, and
anyone reads the public list."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsOrganizer, IsStaffRole
from backend.api.views import ApiView
from canvass.api.serializers import platform as s
from canvass.selectors.platform import planks_for_user, planks_public
from canvass.services.platform import plank_create, plank_update


class PlankListCreateView(ApiView):
    """The planks in order (organizers: inactive ones too); organizers add one."""

    extra_error_codes = {"post": ["409"]}

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsOrganizer()]
        return [IsStaffRole()]

    @extend_schema(responses={200: s.PlankSerializer(many=True)})
    def get(self, request: Request) -> Response:
        planks = planks_for_user(user=self.actor)
        return Response(s.PlankSerializer(planks, many=True).data)

    @extend_schema(request=s.PlankInputSerializer, responses={201: s.PlankSerializer})
    def post(self, request: Request) -> Response:
        data = s.PlankInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plank = plank_create(actor=self.actor, **data.validated_data)
        return Response(s.PlankSerializer(plank).data, status=status.HTTP_201_CREATED)


class PlankDetailView(ApiView):
    """One plank by its code; organizers edit it (the code never changes)."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "PATCH":
            return [IsOrganizer()]
        return [IsStaffRole()]

    @extend_schema(responses={200: s.PlankSerializer})
    def get(self, request: Request, code: str) -> Response:
        plank = self.get_or_404(planks_for_user(user=self.actor), code=code)
        return Response(s.PlankSerializer(plank).data)

    @extend_schema(request=s.PlankUpdateSerializer, responses={200: s.PlankSerializer})
    def patch(self, request: Request, code: str) -> Response:
        plank = self.get_or_404(planks_for_user(user=self.actor), code=code)
        data = s.PlankUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plank = plank_update(actor=self.actor, plank=plank, **data.validated_data)
        return Response(s.PlankSerializer(plank).data)


class PublicPlankListView(ApiView):
    """The Migrant Justice Platform: its active planks in English and Spanish (no account)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: s.PlankPublicSerializer(many=True)}, auth=[])
    def get(self, request: Request) -> Response:
        return Response(s.PlankPublicSerializer(planks_public(), many=True).data)
