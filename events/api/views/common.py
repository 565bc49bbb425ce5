"""What every events view shares: who may call it (the public or staff) and the acting user."""

from __future__ import annotations

from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.api.permissions import IsFieldLeadOrOrganizer


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class PublicView(APIView):
    """No login: anyone may call it (throttled where it writes)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []


class StaffView(APIView):
    """Organizers and field leads; what each sees is scoped by the selectors."""

    permission_classes = [IsFieldLeadOrOrganizer]
