from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.api.views import client_ip
from backend.api.permissions import IsOrganizer
from backend.privacy import registry
from backend.privacy.services import person_erase


class ErasureInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=registry.PERSON_KINDS)
    id = serializers.IntegerField(min_value=1)


class ErasureView(APIView):
    """Erase a voter or volunteer everywhere on their request (organizers only)."""

    permission_classes = [IsOrganizer]
    extra_error_codes = ["404"]

    @extend_schema(
        request=ErasureInputSerializer,
        responses={
            201: inline_serializer(
                "ErasureResult",
                {
                    "kind": serializers.CharField(),
                    "id": serializers.IntegerField(),
                    "counts": serializers.DictField(child=serializers.IntegerField()),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = ErasureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind, subject_id = data.validated_data["kind"], data.validated_data["id"]
        counts = person_erase(
            actor=request.user, kind=kind, subject_id=subject_id, ip_address=client_ip(request)
        )
        return Response(
            {"kind": kind, "id": subject_id, "counts": counts}, status=status.HTTP_201_CREATED
        )
