"""The typed base view: `actor`, `client_ip` and `get_or_404`, through a request."""

from __future__ import annotations

import pytest
from django.http import Http404
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from backend.accounts.models import Team, User
from backend.api.views import ApiView, ListApiView, client_ip

pytestmark = pytest.mark.django_db


class WhoView(ApiView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"actor": self.actor.username, "ip": self.client_ip})


class TeamView(ApiView):
    permission_classes = [AllowAny]

    def get(self, request: Request, pk: int) -> Response:
        return Response({"name": self.get_or_404(Team.objects.all(), pk=pk).name})


def call(view_class, *, user=None, remote_addr="203.0.113.7", **kwargs):
    request = APIRequestFactory().get("/x", REMOTE_ADDR=remote_addr)
    if user is not None:
        force_authenticate(request, user=user)
    return view_class.as_view()(request, **kwargs)


def test_actor_is_the_authenticated_user(canvasser_a):
    response = call(WhoView, user=canvasser_a)

    assert response.status_code == 200
    assert response.data == {"actor": canvasser_a.username, "ip": "203.0.113.7"}


def test_an_anonymous_actor_is_a_401_not_an_anonymous_user():
    response = call(WhoView)

    assert response.status_code == 401
    assert response.data["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("remote_addr", "expected"),
    [
        ("198.51.100.4", "198.51.100.4"),
        ("2001:DB8::1", "2001:db8::1"),
        ("", None),
        ("unknown", None),
        ("198.51.100.4, 10.0.0.1", None),
    ],
)
def test_client_ip_is_remote_addr_or_none(remote_addr, expected):
    request = APIRequestFactory().get("/x", REMOTE_ADDR=remote_addr)

    assert client_ip(request) == expected


def test_client_ip_ignores_x_forwarded_for():
    request = APIRequestFactory().get(
        "/x", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="192.0.2.99"
    )

    assert client_ip(request) == "198.51.100.4"


def test_get_or_404_finds_the_object(team_a):
    response = call(TeamView, pk=team_a.pk)

    assert response.data == {"name": team_a.name}


def test_get_or_404_answers_404_in_the_error_shape(team_a):
    response = call(TeamView, pk=team_a.pk + 1000)

    assert response.status_code == 404
    assert response.data["error"]["code"] == "not_found"


def test_get_or_404_finds_only_what_the_scoped_queryset_holds(team_a, team_b):
    scoped = Team.objects.filter(pk=team_a.pk)

    assert TeamView().get_or_404(scoped, pk=team_a.pk) == team_a
    with pytest.raises(Http404):
        TeamView().get_or_404(scoped, pk=team_b.pk)


def test_the_generic_bases_carry_the_mixin(organizer):
    class People(ListApiView):
        permission_classes = [AllowAny]
        pagination_class = None

        def get_queryset(self):
            return User.objects.filter(pk=self.actor.pk)

        def list(self, request, *args, **kwargs):
            return Response([user.username for user in self.get_queryset()])

    assert call(People, user=organizer).data == [organizer.username]
