from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from backend.accounts import selectors, services
from backend.accounts.api.serializers import (
    AdminUserSerializer,
    LoginInputSerializer,
    LogoutAllSerializer,
    MeSerializer,
    MeUpdateInputSerializer,
    PasswordChangeInputSerializer,
    PhoneSetInputSerializer,
    RefreshInputSerializer,
    TeamDetailSerializer,
    TeamInputSerializer,
    TeamMemberInputSerializer,
    TokenOutputSerializer,
    UserLanguagesInputSerializer,
    UserUpdateInputSerializer,
)
from backend.accounts.models import AuthToken, User
from backend.api.permissions import IsFieldLeadOrOrganizer, IsOrganizer, IsStaffRole
from backend.api.views import ApiView, ListApiView
from backend.errors import ApplicationError, ErrorCode


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
            code=ErrorCode.TOKEN_REQUIRED,
        )
    return request.auth


class LoginView(ApiView):
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
            ip_address=self.client_ip,
            request=request._request,
        )
        return _token_response(issued)


class RefreshView(ApiView):
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


class LogoutView(ApiView):
    """Revoke the token used for this request (log out this device)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.token_revoke(token=_current_token(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(ApiView):
    """Revoke every token of the current user (log out all devices)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: LogoutAllSerializer},
    )
    def post(self, request: Request) -> Response:
        revoked = services.tokens_revoke_all(user=self.actor)
        return Response({"revoked": revoked})


class MeView(ApiView):
    """Who am I: the user, their role, their teams and what the app may show them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        user = selectors.user_with_teams(user=self.actor)
        return Response(MeSerializer(user).data)

    @extend_schema(request=MeUpdateInputSerializer, responses={200: MeSerializer})
    def patch(self, request: Request) -> Response:
        data = MeUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_languages_update(actor=self.actor, user=self.actor, **data.validated_data)
        return Response(MeSerializer(selectors.user_with_teams(user=self.actor)).data)


class MePhoneView(ApiView):
    """Set (PUT) or remove (DELETE) one's own mobile number for safety texts."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PhoneSetInputSerializer, responses={200: MeSerializer})
    def put(self, request: Request) -> Response:
        data = PhoneSetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_phone_set(user=self.actor, **data.validated_data)
        return Response(MeSerializer(selectors.user_with_teams(user=self.actor)).data)

    @extend_schema(responses={200: MeSerializer})
    def delete(self, request: Request) -> Response:
        services.user_phone_clear(user=self.actor)
        return Response(MeSerializer(selectors.user_with_teams(user=self.actor)).data)


class PasswordChangeView(ApiView):
    """Change one's own password. Every device is signed out; this one gets a fresh token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordChangeInputSerializer, responses={200: TokenOutputSerializer})
    def post(self, request: Request) -> Response:
        data = PasswordChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device = request.auth.device if isinstance(request.auth, AuthToken) else ""
        issued = services.user_password_change(
            user=self.actor,
            current_password=data.validated_data["current_password"],
            new_password=data.validated_data["new_password"],
            ip_address=self.client_ip,
            device=device,
        )
        return _token_response(issued)


def _visible_teams(actor: User) -> Prefetch:
    """A person's teams as the caller may see them: a member of two teams shows a field lead
    only the lead's own."""
    return Prefetch("teams", queryset=selectors.teams_for_user(user=actor))


class UserListView(ListApiView):
    """People: all for organizers, their teams' members for field leads."""

    permission_classes = [IsFieldLeadOrOrganizer]
    serializer_class = AdminUserSerializer
    queryset = User.objects.none()  # for the schema; get_queryset scopes the real one

    def get_queryset(self) -> QuerySet[User]:
        return (
            selectors.users_for_user(user=self.actor)
            .prefetch_related(_visible_teams(self.actor))
            .order_by("id")
        )


class UserDetailView(ApiView):
    """Read a person (field leads: their teams) or change their role / active flag (organizers)."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "PATCH":
            return [IsOrganizer()]
        return [IsFieldLeadOrOrganizer()]

    def _get(self, pk: int) -> User:
        return self.get_or_404(
            selectors.users_for_user(user=self.actor).prefetch_related(_visible_teams(self.actor)),
            pk=pk,
        )

    @extend_schema(responses={200: AdminUserSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(AdminUserSerializer(self._get(pk)).data)

    @extend_schema(request=UserUpdateInputSerializer, responses={200: AdminUserSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        user = self._get(pk)
        data = UserUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_update(actor=self.actor, user=user, **data.validated_data)
        return Response(AdminUserSerializer(self._get(pk)).data)


class UserLanguagesView(ApiView):
    """Set the languages a person canvasses in (field leads: their teams' people; organizers)."""

    permission_classes = [IsFieldLeadOrOrganizer]

    @extend_schema(request=UserLanguagesInputSerializer, responses={200: AdminUserSerializer})
    def put(self, request: Request, pk: int) -> Response:
        queryset = selectors.users_for_user(user=self.actor).prefetch_related(
            _visible_teams(self.actor)
        )
        user = self.get_or_404(queryset, pk=pk)
        data = UserLanguagesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_languages_update(
            actor=self.actor,
            user=user,
            spoken_languages=data.validated_data["spoken_languages"],
        )
        return Response(AdminUserSerializer(self.get_or_404(queryset, pk=pk)).data)


class UserUnlockView(ApiView):
    """Unlock an account locked by repeated failed logins (organizers)."""

    permission_classes = [IsOrganizer]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        user = self.get_or_404(selectors.users_for_user(user=self.actor), pk=pk)
        services.user_unlock(actor=self.actor, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamListView(ApiView):
    """Teams: all for organizers, their own for others; organizers create teams."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsOrganizer()]
        return [IsStaffRole()]

    @extend_schema(responses={200: TeamDetailSerializer(many=True)})
    def get(self, request: Request) -> Response:
        teams = selectors.teams_for_user(user=self.actor).prefetch_related("memberships__user")
        return Response(TeamDetailSerializer(teams, many=True).data)

    @extend_schema(request=TeamInputSerializer, responses={201: TeamDetailSerializer})
    def post(self, request: Request) -> Response:
        data = TeamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.team_create(actor=self.actor, name=data.validated_data["name"])
        return Response(TeamDetailSerializer(team).data, status=status.HTTP_201_CREATED)


class TeamMembersView(ApiView):
    """Add a person to a team (organizers)."""

    permission_classes = [IsOrganizer]

    @extend_schema(request=TeamMemberInputSerializer, responses={200: TeamDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        team = self.get_or_404(selectors.teams_for_user(user=self.actor), pk=pk)
        data = TeamMemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = selectors.user_by_id(user_id=data.validated_data["user"])
        if user is None:
            raise ApplicationError("No such user.", fields={"user": ["No such user."]})
        services.team_member_add(actor=self.actor, team=team, user=user)
        return Response(TeamDetailSerializer(team).data)


class TeamMemberDetailView(ApiView):
    """Remove a person from a team (organizers)."""

    permission_classes = [IsOrganizer]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        team = self.get_or_404(selectors.teams_for_user(user=self.actor), pk=pk)
        user = self.get_or_404(selectors.users_for_user(user=self.actor), pk=user_id)
        services.team_member_remove(actor=self.actor, team=team, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
