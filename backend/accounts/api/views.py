from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import services
from backend.accounts.api.serializers import (
    LoginInputSerializer,
    MeSerializer,
    TokenOutputSerializer,
)
from backend.accounts.models import AuthToken, User
from backend.api.errors import ApplicationError


def client_ip(request: Request) -> str:
    # REMOTE_ADDR is set by the server (or the trusted proxy's real-IP module); a client-supplied
    # X-Forwarded-For would let an attacker pick their own throttle bucket.
    return request.META.get("REMOTE_ADDR", "unknown")


def _token_response(
    issued: services.IssuedToken, http_status: int = status.HTTP_200_OK
) -> Response:
    user: User = issued.record.user
    data = TokenOutputSerializer(
        {
            "token": issued.token,
            "expires_at": issued.record.expires_at,
            "device": issued.record.device,
            "user": user,
        }
    ).data
    return Response(data, status=http_status)


def _current_token(request: Request) -> AuthToken:
    if not isinstance(request.auth, AuthToken):
        raise ApplicationError(
            "This action needs a bearer token, not a session.",
            code="token_required",
            status_code=400,
        )
    return request.auth


class LoginView(APIView):
    """Exchange username and password for a per-device bearer token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=LoginInputSerializer, responses={200: TokenOutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        data = LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.user_login(
            username=data.validated_data["username"],
            password=data.validated_data["password"],
            device=data.validated_data["device"],
            ip_address=client_ip(request),
            request=request._request,
        )
        return _token_response(issued)


class RefreshView(APIView):
    """Swap the current token for a new one with a fresh expiry; the old one stops working."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: TokenOutputSerializer})
    def post(self, request: Request) -> Response:
        return _token_response(services.token_refresh(token=_current_token(request)))


class LogoutView(APIView):
    """Revoke the token used for this request (log out this device)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.token_revoke(token=_current_token(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Revoke every token of the current user (log out all devices)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("LogoutAll", {"revoked": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        revoked = services.tokens_revoke_all(user=request.user)  # type: ignore[arg-type]
        return Response({"revoked": revoked})


class MeView(APIView):
    """Who am I: the user, their role, their teams and what the app may show them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        user_qs: QuerySet[User] = User.objects.prefetch_related("teams")
        return Response(MeSerializer(user_qs.get(pk=request.user.pk)).data)
