"""The Django admin login goes through the same counters, lockout and audit as the API login."""

from __future__ import annotations

import pytest
from django.test import override_settings

from backend.accounts.models import LoginFailureCounter
from backend.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "organizer-Pass-2026!"


@pytest.fixture
def staff_organizer(organizer):
    organizer.is_staff = organizer.is_superuser = True
    organizer.save(update_fields=["is_staff", "is_superuser"])
    return organizer


def admin_login(client, username: str, password: str, ip: str = "10.4.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_twelve_wrong_passwords_lock_the_admin_login_and_the_right_one_is_refused(
    client, staff_organizer
):
    answers = [admin_login(client, "organizer", f"guess-{n}") for n in range(12)]

    right = admin_login(client, "organizer", PASSWORD)

    assert [a.status_code for a in answers] == [200] * 12
    assert b"Please enter the correct username and password" in answers[0].content
    assert b"Too many failed logins" in answers[-1].content
    assert right.status_code == 200
    assert b"Too many failed logins" in right.content
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302  # still sent to the login page
    counter = LoginFailureCounter.objects.get(key="user:organizer")
    assert counter.failures == 13
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert failures.count() == 5  # the limit: later guesses are refused before any check
    assert {(e.target_id, e.ip_address, e.details["via"]) for e in failures} == {
        (str(staff_organizer.pk), "10.4.0.1", "admin")
    }
    throttled = AuditEvent.objects.get(action="auth.login_throttled")
    assert throttled.details == {"via": "admin", "limit": "account"}
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_the_api_and_the_admin_share_one_lockout(client, api_client, staff_organizer):
    for n in range(5):
        api_client.post(
            "/api/auth/login",
            {"username": "organizer", "password": f"x{n}"},
            REMOTE_ADDR="10.4.1.1",
        )

    response = admin_login(client, "organizer", PASSWORD, ip="10.4.1.2")

    assert b"Too many failed logins" in response.content
    assert not signed_in(client)


def test_an_admin_login_is_audited_and_forgives_earlier_failures(client, staff_organizer):
    admin_login(client, "organizer", "wrong-guess")

    response = admin_login(client, "organizer", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)
    assert not LoginFailureCounter.objects.filter(key="user:organizer").exists()
    failed, ok = AuditEvent.objects.order_by("id")
    assert (failed.action, failed.target_id, failed.details) == (
        "auth.login_failed",
        str(staff_organizer.pk),
        {"via": "admin"},
    )
    assert (ok.action, ok.actor, ok.ip_address, ok.details) == (
        "auth.login",
        staff_organizer,
        "10.4.0.1",
        {"via": "admin"},
    )
    assert "wrong-guess" not in str(list(AuditEvent.objects.values()))


def test_a_canvasser_with_the_right_password_is_refused_and_counted(client, canvasser_a):
    response = admin_login(client, "canvasser_a", "canvasser_a-Pass-2026!")

    assert response.status_code == 200
    assert b"for a staff account" in response.content
    assert not signed_in(client)
    assert LoginFailureCounter.objects.get(key="user:canvasser_a").failures == 1
    assert AuditEvent.objects.get().action == "auth.login_failed"


@override_settings(LOGIN_FAILURE_LIMIT_IP=4, LOGIN_FAILURE_LIMIT_ACCOUNT=100)
def test_admin_failures_are_limited_per_ip_across_accounts(client, staff_organizer):
    for name in ["a", "b", "c", "d"]:
        admin_login(client, name, "wrong", ip="10.4.2.1")

    refused = admin_login(client, "organizer", PASSWORD, ip="10.4.2.1")
    assert b"Too many failed logins" in refused.content
    assert not signed_in(client)
    assert LoginFailureCounter.objects.get(key="ip:10.4.2.1").failures == 5
    assert AuditEvent.objects.get(action="auth.login_throttled").details["limit"] == "ip"

    elsewhere = admin_login(client, "organizer", PASSWORD, ip="10.4.2.2")
    assert elsewhere.status_code == 302
    assert signed_in(client)
