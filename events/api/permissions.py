"""Event-specific permissions (role policies come from backend.api.permissions)."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from backend.accounts.models import Role


class IsOrganizerOrReadOnlyStaff(permissions.BasePermission):
    """Organizers may write; field leads may only read."""

    def has_permission(self, request: Request, view: Any) -> bool:
        role = getattr(request.user, "role", None) if request.user.is_authenticated else None
        if request.method in permissions.SAFE_METHODS:
            return role in (Role.ORGANIZER, Role.FIELD_LEAD)
        return role == Role.ORGANIZER
