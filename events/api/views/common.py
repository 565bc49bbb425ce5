"""The two kinds of events view: open to the public, or for staff (organizers, field leads)."""

from __future__ import annotations

from rest_framework.permissions import AllowAny

from backend.api.permissions import IsFieldLeadOrOrganizer
from backend.api.views import ApiView


class PublicView(ApiView):
    """No login: anyone may call it (throttled where it writes)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []


class StaffView(ApiView):
    """Organizers and field leads; what each sees is scoped by the selectors."""

    permission_classes = [IsFieldLeadOrOrganizer]
