"""The typed base views every API view builds on.

`ApiViewMixin` gives a view what it needs about the request, typed, in one place: `actor` (the
authenticated `User`, so call sites need no cast), `get_or_404` (a 404 in the one error shape for
an object missing from a scoped queryset) and `client_ip` (the address for audit rows and
throttle keys). `ApiView` and the generic variants are DRF's classes with the mixin.
"""

from __future__ import annotations

import ipaddress
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.views import APIView

from backend.accounts.models import User

_M = TypeVar("_M", bound=Model)


def client_ip(request: Request | HttpRequest) -> str | None:
    """The client's address from REMOTE_ADDR, or None when the server gave none (or junk).

    REMOTE_ADDR is set by the server (or the trusted proxy's real-IP module); a client-supplied
    X-Forwarded-For would let an attacker pick their own throttle bucket. None, never a
    placeholder such as "unknown", because the value goes into IP address columns.
    """
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


class ApiViewMixin(APIView):
    """What a view knows about its request: who acts, from where, and a scoped 404 lookup.

    It derives from APIView (for the typed `self.request`) and adds nothing else to it, so it
    combines with any DRF generic view: `class ListApiView(ApiViewMixin, generics.ListAPIView)`.
    """

    @property
    def actor(self) -> User:
        """The authenticated user. Views reach it behind an authenticating permission, so an
        anonymous request here is answered 401 rather than passed on as AnonymousUser."""
        user = self.request.user
        if not isinstance(user, User) or not user.is_authenticated:
            raise exceptions.NotAuthenticated()
        return user

    @property
    def client_ip(self) -> str | None:
        """The client's address (see `backend.api.views.client_ip`)."""
        return client_ip(self.request)

    def get_or_404(self, queryset: QuerySet[_M], **lookups: Any) -> _M:
        """The one object matching `lookups` in `queryset` (a selector's, already scoped to the
        actor), else 404 "Not found." (an object the actor may not see is not revealed)."""
        return get_object_or_404(queryset, **lookups)


class ApiView(ApiViewMixin):
    """Base for a hand-written view: parse with an input serializer, call a service or selector,
    render with an output serializer."""


class GenericApiView(ApiViewMixin, generics.GenericAPIView):
    """DRF's GenericAPIView with the mixin (a view that needs `get_serializer` or pagination)."""


class ListApiView(ApiViewMixin, generics.ListAPIView):
    """A read-only paginated list; `get_queryset` returns a selector."""


class RetrieveApiView(ApiViewMixin, generics.RetrieveAPIView):
    """A read-only single object; `get_queryset` returns a selector."""


class ListCreateApiView(ApiViewMixin, generics.ListCreateAPIView):
    """A paginated list that also creates (POST calls a service from `perform_create`)."""
