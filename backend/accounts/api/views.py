from __future__ import annotations

import ipaddress
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import selectors, services
from backend.accounts.api.serializers import (
    AdminUserSerializer,
    LoginInputSerializer,
    MeSerializer,
    RefreshInputSerializer,
    TeamDetailSerializer,
    TeamInputSerializer,
    TeamMemberInputSerializer,
    TokenOutputSerializer,
    UserUpdateInputSerializer,
)
from backend.accounts.models import AuthToken, Team, User
from backend.api.errors import ApplicationError
from backend.api.permissions import IsFieldLeadOrOrganizer, IsOrganizer, IsStaffRole


def client_ip(request: Request) -> str | None:
    """The client's address from REMOTE_ADDR, or None when the server gave none.

    REMOTE_ADDR is set by the server (or the trusted proxy's real-IP module); a client-supplied
    X-Forwarded-For would let an attacker pick their own throttle bucket.
    """
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _token_response(
    issued: services.IssuedToken, http_status: int = status.HTTP_200_OK
) -> Response:
    user: User = issued.record.user
    data = TokenOutputSerializer(
        {
            "token": issued.token,
            "expires_at": issued.record.expires_at,
            "refresh_token": issued.refresh_token,
            "refresh_expires_at": issued.record.refresh_expires_at,
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
    extra_error_codes = ["401"]

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
    """Exchange a refresh token for a new access and refresh token; the old pair stops working.

    Works with an expired access token: no Authorization header is needed.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    extra_error_codes = ["401"]

    @extend_schema(request=RefreshInputSerializer, responses={200: TokenOutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        data = RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _token_response(
            services.token_refresh(refresh_token=data.validated_data["refresh_token"])
        )


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


class UserListView(generics.ListAPIView):
    """People: all for organizers, their teams' members for field leads."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = AdminUserSerializer
    queryset = User.objects.none()  # for the schema; get_queryset scopes the real one

    def get_queryset(self) -> QuerySet[User]:
        return (
            selectors.users_for_user(user=self.request.user)
            .prefetch_related("teams")
            .order_by("id")
        )  # type: ignore[arg-type]


class UserDetailView(APIView):
    """Read a person (field leads: their teams) or change their role / active flag (organizers)."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "PATCH":
            return [IsOrganizer()]
        return [IsFieldLeadOrOrganizer()]

    def _get(self, request: Request, pk: int) -> User:
        return get_object_or_404(
            selectors.users_for_user(user=request.user).prefetch_related("teams"), pk=pk
        )  # type: ignore[arg-type]

    @extend_schema(responses={200: AdminUserSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(AdminUserSerializer(self._get(request, pk)).data)

    @extend_schema(request=UserUpdateInputSerializer, responses={200: AdminUserSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        user = self._get(request, pk)
        data = UserUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_update(actor=request.user, user=user, **data.validated_data)  # type: ignore[arg-type]
        return Response(AdminUserSerializer(self._get(request, pk)).data)


class UserUnlockView(APIView):
    """Unlock an account locked by repeated failed logins (organizers)."""

    permission_classes = [IsOrganizer]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(User, pk=pk)
        services.user_unlock(actor=request.user, user=user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamListView(APIView):
    """Teams: all for organizers, their own for others; organizers create teams."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsOrganizer()]
        return [IsStaffRole()]

    @extend_schema(responses={200: TeamDetailSerializer(many=True)})
    def get(self, request: Request) -> Response:
        teams = selectors.teams_for_user(user=request.user).prefetch_related("memberships__user")  # type: ignore[arg-type]
        return Response(TeamDetailSerializer(teams, many=True).data)

    @extend_schema(request=TeamInputSerializer, responses={201: TeamDetailSerializer})
    def post(self, request: Request) -> Response:
        data = TeamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.team_create(actor=request.user, name=data.validated_data["name"])  # type: ignore[arg-type]
        return Response(TeamDetailSerializer(team).data, status=status.HTTP_201_CREATED)


class TeamMembersView(APIView):
    """Add a person to a team (organizers)."""

    permission_classes = [IsOrganizer]

    @extend_schema(request=TeamMemberInputSerializer, responses={200: TeamDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        team = get_object_or_404(Team, pk=pk)
        data = TeamMemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(pk=data.validated_data["user"]).first()
        if user is None:
            raise ApplicationError("No such user.", fields={"user": ["No such user."]})
        services.team_member_add(actor=request.user, team=team, user=user)  # type: ignore[arg-type]
        return Response(TeamDetailSerializer(team).data)


class TeamMemberDetailView(APIView):
    """Remove a person from a team (organizers)."""

    permission_classes = [IsOrganizer]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        team = get_object_or_404(Team, pk=pk)
        user = get_object_or_404(User, pk=user_id)
        services.team_member_remove(actor=request.user, team=team, user=user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
