"""Changing a password by any path ends every device session of that user."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from backend.accounts.models import AuthToken, Role, User
from backend.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-Pass-2026!"


def login(api_client, username: str, password: str, device: str = "phone") -> dict:
    response = api_client.post(
        "/api/auth/login", {"username": username, "password": password, "device": device}
    )
    assert response.status_code == 200, response.content
    return response.json()


def me_status(api_client, token: str) -> int:
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    status = api_client.get("/api/me").status_code
    api_client.credentials()
    return status


def refresh_status(api_client, refresh_token: str) -> int:
    return api_client.post("/api/auth/refresh", {"refresh_token": refresh_token}).status_code


def two_devices(api_client, username: str, password: str) -> list[dict]:
    sessions = [login(api_client, username, password, device=d) for d in ("phone", "tablet")]
    assert [me_status(api_client, s["token"]) for s in sessions] == [200, 200]
    return sessions


def assert_revoked(api_client, sessions: list[dict], user: User) -> None:
    assert [me_status(api_client, s["token"]) for s in sessions] == [401, 401]
    assert [refresh_status(api_client, s["refresh_token"]) for s in sessions] == [401, 401]
    revoked = AuditEvent.objects.get(action="auth.tokens_revoked_all", target_id=str(user.pk))
    assert revoked.details == {"count": len(sessions), "reason": "password_changed"}


def test_the_api_password_change_revokes_every_token_and_gives_this_device_a_new_one(
    api_client, canvasser_a, canvasser_b
):
    sessions = two_devices(api_client, "canvasser_a", "canvasser_a-Pass-2026!")
    other = login(api_client, "canvasser_b", "canvasser_b-Pass-2026!")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {sessions[0]['token']}")

    response = api_client.post(
        "/api/me/password",
        {"current_password": "canvasser_a-Pass-2026!", "new_password": NEW_PASSWORD},
    )
    api_client.credentials()

    assert response.status_code == 200
    fresh = response.json()
    assert fresh["device"] == "phone"
    assert me_status(api_client, fresh["token"]) == 200
    assert_revoked(api_client, sessions, canvasser_a)
    assert AuthToken.objects.filter(user=canvasser_a).count() == 1
    assert me_status(api_client, other["token"]) == 200  # another user keeps their session
    assert login(api_client, "canvasser_a", NEW_PASSWORD)["user"]["username"] == "canvasser_a"
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=canvasser_a).count() == 1


def test_a_wrong_current_password_changes_nothing_and_is_counted(client_for, canvasser_a):
    client = client_for(canvasser_a)

    response = client.post(
        "/api/me/password", {"current_password": "guess", "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "wrong_password"
    assert response.json()["error"]["fields"] == {
        "current_password": ["The current password is wrong."]
    }
    assert client.get("/api/me").status_code == 200
    canvasser_a.refresh_from_db()
    assert canvasser_a.check_password("canvasser_a-Pass-2026!")
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.details == {"via": "password_change"}


def test_a_weak_new_password_is_refused_naming_the_field(client_for, canvasser_a):
    client = client_for(canvasser_a)

    response = client.post(
        "/api/me/password",
        {"current_password": "canvasser_a-Pass-2026!", "new_password": "12345"},
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["new_password"]
    assert client.get("/api/me").status_code == 200


def test_guessing_the_current_password_hits_the_login_lockout(client_for, canvasser_a, settings):
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 2
    client = client_for(canvasser_a)
    body = {"current_password": "guess", "new_password": NEW_PASSWORD}

    codes = [client.post("/api/me/password", body).status_code for _ in range(3)]

    assert codes == [400, 400, 429]


def test_the_admin_password_form_revokes_every_token(client, api_client, organizer, canvasser_a):
    organizer.is_staff = organizer.is_superuser = True
    organizer.save()
    sessions = two_devices(api_client, "canvasser_a", "canvasser_a-Pass-2026!")
    client.force_login(organizer)

    response = client.post(
        f"/admin/accounts/user/{canvasser_a.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content
    assert_revoked(api_client, sessions, canvasser_a)


def test_the_changepassword_command_revokes_every_token(api_client, canvasser_a, monkeypatch):
    sessions = two_devices(api_client, "canvasser_a", "canvasser_a-Pass-2026!")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)  # the typed password

    call_command("changepassword", "canvasser_a", stdout=StringIO())

    assert_revoked(api_client, sessions, canvasser_a)
    assert login(api_client, "canvasser_a", NEW_PASSWORD)["user"]["username"] == "canvasser_a"


def test_seed_demo_reset_passwords_revokes_every_token(api_client, settings, tmp_path):
    settings.SHARED_DATA_DIR = tmp_path  # the people only, not the real precincts
    out = StringIO()
    call_command("seed_demo", stdout=out)
    password = next(
        line.split("password: ")[1].strip()
        for line in out.getvalue().splitlines()
        if "canvasser1" in line
    )
    sessions = two_devices(api_client, "canvasser1", password)

    call_command("seed_demo", "--reset-passwords", stdout=StringIO())

    assert_revoked(api_client, sessions, User.objects.get(username="canvasser1"))
    assert User.objects.filter(role=Role.CANVASSER).count() == 2


def test_creating_a_user_records_no_revocation(db):
    User.objects.create_user(username="newcomer", password=NEW_PASSWORD)

    assert not AuditEvent.objects.exists()
