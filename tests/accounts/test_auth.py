from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from backend.accounts.models import AuthToken, LoginFailureCounter

pytestmark = pytest.mark.django_db


def login(api_client, username: str, password: str, device: str = "phone", ip: str = "10.0.0.1"):
    return api_client.post(
        "/api/auth/login",
        {"username": username, "password": password, "device": device},
        REMOTE_ADDR=ip,
    )


def bearer(api_client, token: str):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api_client


def test_login_returns_a_device_token_stored_only_as_a_digest(api_client, canvasser_a):
    response = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!", device="Carmen's Pixel")

    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["device"] == "Carmen's Pixel"
    assert response.json()["user"]["role"] == "canvasser"
    record = AuthToken.objects.get(user=canvasser_a)
    assert record.digest != token and token not in record.digest
    assert len(record.digest) == 64


def test_wrong_password_is_401_in_the_error_shape(api_client, canvasser_a):
    response = login(api_client, "canvasser_a", "wrong")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "invalid_credentials",
            "message": "Wrong username or password.",
            "fields": {},
        }
    }


def test_token_works_as_bearer_for_me(api_client, canvasser_a, team_a):
    token = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!").json()["token"]

    response = bearer(api_client, token).get("/api/me")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "canvasser_a"
    assert body["role"] == "canvasser"
    assert body["teams"] == [{"id": team_a.id, "name": "Team A"}]
    assert body["permissions"] == ["canvass"]


@pytest.mark.parametrize(
    ("fixture", "role", "permissions"),
    [
        (
            "organizer",
            "organizer",
            ["admin", "manage_teams", "manage_turf", "manage_events", "view_reports", "canvass"],
        ),
        ("lead_a", "field_lead", ["manage_turf", "manage_events", "view_reports"]),
        ("canvasser_a", "canvasser", ["canvass"]),
    ],
)
def test_me_for_each_role(request, client_for, fixture, role, permissions):
    user = request.getfixturevalue(fixture)

    body = client_for(user).get("/api/me").json()

    assert body["role"] == role
    assert body["permissions"] == permissions


def test_me_without_token_is_401(api_client):
    response = api_client.get("/api/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_garbage_bearer_token_is_401(api_client):
    response = bearer(api_client, "not-a-real-token").get("/api/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_expired_token_stops_working(api_client, canvasser_a):
    token = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!").json()["token"]

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        response = bearer(api_client, token).get("/api/me")

    assert response.status_code == 401


def test_refresh_issues_a_new_pair_and_the_old_one_stops_at_once(api_client, canvasser_a):
    first = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!").json()

    refreshed = api_client.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]})

    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["token"] != first["token"]
    assert new["refresh_token"] != first["refresh_token"]
    assert bearer(api_client, first["token"]).get("/api/me").status_code == 401
    assert bearer(api_client, new["token"]).get("/api/me").status_code == 200


def test_access_tokens_are_short_lived_but_refresh_works_after_a_day_offline(
    api_client, canvasser_a
):
    first = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!").json()

    with time_machine.travel(timezone.now() + dt.timedelta(hours=20)):
        assert bearer(api_client, first["token"]).get("/api/me").status_code == 401
        api_client.credentials()
        refreshed = api_client.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]})
        assert refreshed.status_code == 200
        assert bearer(api_client, refreshed.json()["token"]).get("/api/me").status_code == 200


def test_a_refresh_token_works_only_once(api_client, canvasser_a):
    first = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!").json()
    api_client.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]})

    replay = api_client.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]})

    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "invalid_refresh_token"


def test_refresh_token_expires(api_client, canvasser_a):
    first = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!").json()

    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = api_client.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]})

    assert response.status_code == 401


def test_logout_revokes_only_this_device(api_client, canvasser_a):
    phone = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!", device="phone").json()[
        "token"
    ]
    tablet = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!", device="tablet").json()[
        "token"
    ]

    assert bearer(api_client, phone).post("/api/auth/logout").status_code == 204

    assert bearer(api_client, phone).get("/api/me").status_code == 401
    assert bearer(api_client, tablet).get("/api/me").status_code == 200


def test_logout_all_revokes_every_device(api_client, canvasser_a):
    phone = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!", device="phone").json()[
        "token"
    ]
    tablet = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!", device="tablet").json()[
        "token"
    ]

    response = bearer(api_client, phone).post("/api/auth/logout-all")

    assert response.json() == {"revoked": 2}
    assert bearer(api_client, phone).get("/api/me").status_code == 401
    assert bearer(api_client, tablet).get("/api/me").status_code == 401


def test_deactivated_user_token_stops_working(api_client, canvasser_a):
    token = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!").json()["token"]
    canvasser_a.is_active = False
    canvasser_a.save()

    assert bearer(api_client, token).get("/api/me").status_code == 401


@override_settings(LOGIN_FAILURE_LIMIT_ACCOUNT=3)
def test_failed_logins_are_limited_per_account_even_with_the_right_password(
    api_client, canvasser_a
):
    for attempt in range(3):
        assert login(api_client, "canvasser_a", "wrong", ip=f"10.0.0.{attempt}").status_code == 401

    response = login(api_client, "canvasser_a", "canvasser_a-Pass-2026!", ip="10.9.9.9")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "login_throttled"


@override_settings(LOGIN_FAILURE_LIMIT_IP=4, LOGIN_FAILURE_LIMIT_ACCOUNT=100)
def test_failed_logins_are_limited_per_ip_across_accounts(api_client, canvasser_a):
    for name in ["a", "b", "c", "d"]:
        assert login(api_client, name, "wrong", ip="10.1.1.1").status_code == 401

    assert (
        login(api_client, "canvasser_a", "canvasser_a-Pass-2026!", ip="10.1.1.1").status_code == 429
    )
    assert (
        login(api_client, "canvasser_a", "canvasser_a-Pass-2026!", ip="10.1.1.2").status_code == 200
    )


@override_settings(LOGIN_FAILURE_LIMIT_ACCOUNT=3, LOGIN_FAILURE_WINDOW_SECONDS=60)
def test_login_limit_resets_after_the_window(api_client, canvasser_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(4):
            login(api_client, "canvasser_a", "wrong")
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert login(api_client, "canvasser_a", "canvasser_a-Pass-2026!").status_code == 200


def test_successful_login_forgives_earlier_failures(api_client, canvasser_a):
    login(api_client, "canvasser_a", "wrong")
    login(api_client, "canvasser_a", "canvasser_a-Pass-2026!")

    assert not LoginFailureCounter.objects.filter(key="user:canvasser_a").exists()


def test_login_with_missing_fields_names_them(api_client):
    response = api_client.post("/api/auth/login", {"username": "x"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["fields"] == {"password": ["This field is required."]}
