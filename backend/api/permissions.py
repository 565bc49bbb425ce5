"""Role policies shared by every app. One policy per class; object scoping lives in selectors."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from backend.accounts.models import Role


def _role(request: Request) -> str | None:
    user = request.user
    if not user or not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "role", None)


class IsOrganizer(permissions.BasePermission):
    """Only organizers."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return _role(request) == Role.ORGANIZER


class IsFieldLeadOrOrganizer(permissions.BasePermission):
    """Field leads (scoped to their teams by selectors) and organizers."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return _role(request) in (Role.ORGANIZER, Role.FIELD_LEAD)


class IsCanvasser(permissions.BasePermission):
    """Only canvassers (their own assigned turf and logs)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return _role(request) == Role.CANVASSER


class IsStaffRole(permissions.BasePermission):
    """Any signed-in role (organizer, field lead, canvasser)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return _role(request) is not None
