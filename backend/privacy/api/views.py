from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api.permissions import IsOrganizer
from backend.api.serializers import StrictSerializer
from backend.api.views import ApiView
from backend.privacy import registry
from backend.privacy.services import person_erase


class ErasureInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=registry.PERSON_KINDS)
    id = serializers.IntegerField(min_value=1)


class ErasureResultSerializer(StrictSerializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())


class ErasureView(ApiView):
    """Erase a voter or volunteer everywhere on their request (organizers only)."""

    permission_classes = [IsOrganizer]
    extra_error_codes = ["404"]

    @extend_schema(
        request=ErasureInputSerializer,
        responses={201: ErasureResultSerializer},
    )
    def post(self, request: Request) -> Response:
        data = ErasureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind, subject_id = data.validated_data["kind"], data.validated_data["id"]
        counts = person_erase(
            actor=self.actor, kind=kind, subject_id=subject_id, ip_address=self.client_ip
        )
        return Response(
            {"kind": kind, "id": subject_id, "counts": counts}, status=status.HTTP_201_CREATED
        )
