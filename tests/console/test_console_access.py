"""The console's login uses the API's credentials check (same counters, lockout and audit), keeps
CSRF on, and scopes every page like the API: another team's object is a 404."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.accounts.models import LoginFailureCounter
from backend.audit.models import AuditEvent
from canvass.models import ConversationLog, ImportJob, Turf
from events.models import Event
from tests.canvass.conftest import make_household, make_turf
from tests.console.conftest import PASSWORDS, console_login

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/",
    "/console/imports",
    "/console/map",
    "/console/turfs",
    "/console/review",
    "/console/readiness",
    "/console/incidents",
    "/console/events",
    "/console/texts",
]


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_field_lead_logs_in_and_the_login_is_audited_as_the_console(client, lead_a):
    response = console_login(client, lead_a)

    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert signed_in(client)
    login = AuditEvent.objects.get(action="auth.login")
    assert login.details == {"via": "console"}
    assert login.ip_address == "10.9.0.1"


def test_the_login_returns_to_the_page_asked_for_but_never_off_site(client, lead_a):
    inside = client.post(
        "/console/login",
        {"username": "lead_a", "password": PASSWORDS["lead_a"], "next": "/console/turfs"},
    )
    client.logout()
    outside = client.post(
        "/console/login",
        {"username": "lead_a", "password": PASSWORDS["lead_a"], "next": "https://evil.example/"},
    )

    assert inside["Location"] == "/console/turfs"
    assert outside["Location"] == "/console/"


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for page in PAGES[1:]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/console/login?next=")


def test_every_page_renders_for_a_field_lead(lead_a_client, precinct):
    for page in PAGES:
        response = lead_a_client.get(page)
        assert response.status_code == 200, page
        assert b'<main id="main"' in response.content


def test_wrong_passwords_lock_the_console_login_like_the_api_login(client, lead_a, settings):
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 3
    answers = [
        client.post("/console/login", {"username": "lead_a", "password": f"guess-{n}"})
        for n in range(4)
    ]
    right = console_login(client, lead_a)

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "Wrong username or password." in answers[0].content.decode()
    assert "Too many failed logins" in answers[-1].content.decode()
    assert right.status_code == 429  # the right password is refused while locked
    assert not signed_in(client)
    assert LoginFailureCounter.objects.get(key="user:lead_a").failures == 5
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert {e.details["via"] for e in failures} == {"console"}
    assert failures.count() == 3
    assert AuditEvent.objects.get(action="auth.login_throttled").details == {
        "via": "console",
        "limit": "account",
    }


def test_the_api_login_and_the_console_share_one_lockout(client, api_client, lead_a, settings):
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 2
    for n in range(2):
        api_client.post("/api/auth/login", {"username": "lead_a", "password": f"x{n}"})

    response = console_login(client, lead_a)

    assert response.status_code == 429
    assert not signed_in(client)


def test_a_canvasser_cannot_use_the_console(client, canvasser_a):
    response = console_login(client, canvasser_a)

    assert response.status_code == 200
    assert "for field leads and organizers" in response.content.decode()
    assert not signed_in(client)


def test_posts_without_the_csrf_token_are_refused(lead_a, team_a):
    client = Client(enforce_csrf_checks=True)
    login_page = client.get("/console/login")
    token = login_page.cookies["csrftoken"].value
    refused = client.post("/console/login", {"username": "lead_a", "password": "x"})
    assert refused.status_code == 403
    accepted = client.post(
        "/console/login",
        {"username": "lead_a", "password": PASSWORDS["lead_a"], "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == 302
    turf = make_turf(team_a, [make_household(41.58, -93.62)])

    forged = client.post(f"/console/turfs/{turf.pk}/assign", {"canvasser": lead_a.pk})

    assert forged.status_code == 403


def test_another_teams_turf_is_a_404_and_cannot_be_changed(
    lead_a_client, team_b, canvasser_b, precinct
):
    turf = make_turf(team_b, [make_household(41.58, -93.62)], name="Turf B")

    assert lead_a_client.get(f"/console/turfs/{turf.pk}").status_code == 404
    assert lead_a_client.get(f"/console/turfs/{turf.pk}/progress").status_code == 404
    assign = lead_a_client.post(f"/console/turfs/{turf.pk}/assign", {"canvasser": canvasser_b.pk})
    assert assign.status_code == 404
    assert not turf.assignments.exists()
    listing = lead_a_client.get("/console/turfs").content.decode()
    assert "Turf B" not in listing
    assert "Turf B" not in lead_a_client.get("/console/map").content.decode()


def test_another_teams_import_job_and_event_are_a_404(lead_a_client, team_b, lead_b):
    job = ImportJob.objects.create(kind="voters", team=team_b, created_by=lead_b, upload_path="x")
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() + timedelta(days=1)
    event = Event.objects.create(
        title="B's event",
        kind="canvass",
        team=team_b,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )

    assert lead_a_client.get(f"/console/imports/{job.pk}").status_code == 404
    assert lead_a_client.get(f"/console/imports/{job.pk}/status").status_code == 404
    assert lead_a_client.get(f"/console/events/{event.pk}").status_code == 404
    assert "B&#x27;s event" not in lead_a_client.get("/console/events").content.decode()


def test_a_field_lead_assigns_a_canvasser_of_the_team_and_undoes_it(
    lead_a_client, team_a, canvasser_a, canvasser_b
):
    turf = make_turf(team_a, [make_household(41.58, -93.62)], name="Turf A")

    foreign = lead_a_client.post(f"/console/turfs/{turf.pk}/assign", {"canvasser": canvasser_b.pk})
    assert foreign.status_code == 302
    assert not turf.assignments.exists()
    page = lead_a_client.get(f"/console/turfs/{turf.pk}").content.decode()
    assert "Not in the turf" in page or "team" in page

    lead_a_client.post(f"/console/turfs/{turf.pk}/assign", {"canvasser": canvasser_a.pk})
    assert turf.assignments.filter(canvasser=canvasser_a, unassigned_at__isnull=True).exists()
    lead_a_client.post(f"/console/turfs/{turf.pk}/unassign/{canvasser_a.pk}")
    assert not turf.assignments.filter(unassigned_at__isnull=True).exists()


def test_review_actions_go_through_the_review_service_and_can_be_undone(
    lead_a_client, team_a, canvasser_a
):
    door = make_household(41.58, -93.62)
    turf = make_turf(team_a, [door], name="Turf A")
    from django.utils import timezone

    log = ConversationLog.objects.create(
        client_uuid="6f1c1b1e-0000-4000-8000-000000000001",
        canvasser=canvasser_a,
        turf=turf,
        household=door,
        result="contacted",
        contacted_at=timezone.now(),
        received_at=timezone.now(),
        flag_distance=True,
    )
    page = lead_a_client.get("/console/review").content.decode()
    assert f"Exclude #{log.pk}" in page and "Logged far from the door" in page

    lead_a_client.post(f"/console/review/{log.pk}", {"action": "exclude", "reason": "duplicate"})
    log.refresh_from_db()
    assert log.excluded
    assert f"Count #{log.pk} again" in lead_a_client.get("/console/review").content.decode()
    lead_a_client.post(f"/console/review/{log.pk}", {"action": "include"})
    log.refresh_from_db()
    assert not log.excluded
    assert list(log.reviews.values_list("action", flat=True).order_by("id")) == [
        "exclude",
        "include",
    ]
    assert AuditEvent.objects.filter(action="log.review.exclude").count() == 1


def test_the_console_speaks_spanish(lead_a_client):
    lead_a_client.post("/i18n/setlang/", {"language": "es", "next": "/console/"})

    page = lead_a_client.get("/console/").content.decode()

    assert '<html lang="es">' in page
    assert "Cola de revisión" in page


def test_the_console_follows_accept_language_but_the_api_stays_english(client, api_client):
    console = client.get("/console/login", HTTP_ACCEPT_LANGUAGE="es")
    api = api_client.post("/api/auth/login", {}, format="json", HTTP_ACCEPT_LANGUAGE="es")

    assert "Iniciar sesión" in console.content.decode()
    assert console["Content-Language"] == "es"
    assert api.status_code == 400
    assert api.json()["error"]["fields"]["username"] == ["This field is required."]


def test_a_field_lead_creates_an_event_in_local_time_and_adds_a_shift(lead_a_client, team_a):
    response = lead_a_client.post(
        "/console/events",
        {
            "event-title": "Canvass launch",
            "event-kind": "canvass_launch",
            "event-team": team_a.pk,
            "event-starts_at": "2027-01-09T10:00",
            "event-ends_at": "2027-01-09T14:00",
            "event-is_public": "on",
        },
    )

    event = Event.objects.get(title="Canvass launch")
    assert response.status_code == 302
    assert response["Location"] == f"/console/events/{event.pk}"
    assert event.team == team_a and event.is_public
    assert event.starts_at.isoformat() == "2027-01-09T16:00:00+00:00"  # 10:00 in Des Moines
    backwards = lead_a_client.post(
        f"/console/events/{event.pk}",
        {
            "shift-role": "canvasser",
            "shift-starts_at": "2027-01-09T12:00",
            "shift-ends_at": "2027-01-09T11:00",
            "shift-capacity": "5",
        },
    )
    assert backwards.status_code == 400
    assert "Must be after the start." in backwards.content.decode()
    assert not event.shifts.exists()
    lead_a_client.post(
        f"/console/events/{event.pk}",
        {
            "shift-role": "canvasser",
            "shift-starts_at": "2027-01-09T10:00",
            "shift-ends_at": "2027-01-09T12:00",
            "shift-capacity": "5",
        },
    )
    assert event.shifts.get().capacity == 5

    lead_a_client.post(f"/console/events/{event.pk}/cancel")
    event.refresh_from_db()
    assert event.status == "cancelled"


def test_a_field_lead_cannot_create_an_event_for_another_team(lead_a_client, team_b):
    response = lead_a_client.post(
        "/console/events",
        {
            "event-title": "Elsewhere",
            "event-kind": "rally",
            "event-team": team_b.pk,
            "event-starts_at": "2027-01-09T10:00",
            "event-ends_at": "2027-01-09T14:00",
        },
    )

    assert response.status_code == 400
    assert not Event.objects.filter(title="Elsewhere").exists()


def test_a_running_import_is_polled_until_it_is_done(lead_a_client, lead_a, team_a):
    job = ImportJob.objects.create(
        kind="voters",
        team=team_a,
        created_by=lead_a,
        upload_path="x",
        source_name="polk.csv",
        state="running",
        total_bytes=1000,
        resume_offset=250,
        rows_read=40,
    )

    running = lead_a_client.get(f"/console/imports/{job.pk}/status").content.decode()
    ImportJob.objects.filter(pk=job.pk).update(state="done", resume_offset=1000, rows_read=160)
    done = lead_a_client.get(f"/console/imports/{job.pk}/status").content.decode()

    assert 'hx-trigger="every 1s"' in running
    assert 'value="25"' in running and '<dd id="rows-read">40</dd>' in running
    assert "hx-trigger" not in done
    assert 'value="100"' in done and '<dd id="rows-read">160</dd>' in done


def test_replies_and_opt_outs_are_for_organizers_as_in_the_api(lead_a_client, organizer):
    organizer_client = Client()
    organizer_client.force_login(organizer)

    lead_page = lead_a_client.get("/console/texts").content.decode()
    organizer_page = organizer_client.get("/console/texts").content.decode()

    assert "Outbox" in lead_page and "Outbox" in organizer_page
    assert "Opt-outs" not in lead_page and "Replies that might mean stop" not in lead_page
    assert "Opt-outs" in organizer_page and "Replies that might mean stop" in organizer_page
    assert lead_a_client.post("/console/texts/reviews/1/resolve").status_code == 403


@pytest.mark.parametrize(
    "boundary",
    [
        "not json",
        '{"type": "Point", "coordinates": [-93.6, 41.6]}',
        '{"type": "Polygon", "coordinates": [[[-93.6, 41.6], [-93.5, 41.7], [-93.6, 41.7], '
        "[-93.5, 41.6], [-93.6, 41.6]]]}",
        "",
    ],
)
def test_a_bad_drawn_boundary_is_a_message_not_a_turf(lead_a_client, team_a, boundary):
    response = lead_a_client.post(
        "/console/turfs/draw",
        {"draw-name": "Bad", "draw-team": team_a.pk, "draw-boundary": boundary},
        follow=True,
    )

    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    assert not Turf.objects.exists()


def test_an_auto_cut_with_sizes_the_wrong_way_round_is_a_message(lead_a_client, team_a, precinct):
    response = lead_a_client.post(
        "/console/turfs/auto-cut",
        {
            "cut-precinct": precinct.pk,
            "cut-team": team_a.pk,
            "cut-min_doors": "10",
            "cut-max_doors": "5",
            "cut-name_prefix": "",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    assert not Turf.objects.exists()


def test_a_refreshing_block_whose_session_ended_sends_the_page_to_the_login(client):
    response = client.get(
        "/console/turfs/table",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/console/turfs",
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/console/login?next=%2Fconsole%2Fturfs"


def test_the_map_draws_outlines_doors_by_latest_result_and_only_own_turf(
    lead_a_client, team_a, team_b, canvasser_a, precinct
):
    import json
    import re

    from django.utils import timezone

    knocked = make_household(41.58, -93.62, precinct=precinct)
    fresh = make_household(41.585, -93.62, precinct=precinct)
    own = make_turf(team_a, [knocked], name="Own turf", boundary=precinct.boundary)
    make_turf(team_b, [make_household(41.59, -93.61, precinct=precinct)], name="Their turf")
    ConversationLog.objects.create(
        client_uuid="6f1c1b1e-0000-4000-8000-000000000002",
        canvasser=canvasser_a,
        turf=own,
        household=knocked,
        result="contacted",
        contacted_at=timezone.now(),
        received_at=timezone.now(),
    )

    page = lead_a_client.get("/console/map").content.decode()
    data = json.loads(
        re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S)[1]
    )

    assert [f["properties"]["name"] for f in data["precincts"]["features"]] == ["Test Precinct 1"]
    assert [f["properties"]["name"] for f in data["counties"]["features"]] == ["Polk"]
    assert data["counties"]["features"][0]["geometry"]["type"] == "Polygon"
    assert [f["properties"]["name"] for f in data["turfs"]["features"]] == ["Own turf"]
    colours = {(lat, lon): colour for lat, lon, colour, _ in data["doors"]}
    assert colours[(41.58, -93.62)] == "#1d6b2f"  # contacted
    assert colours[(41.585, -93.62)] == "#5b616b"  # not knocked yet
    assert (41.59, -93.61) not in colours  # a door in another team's active turf
    assert fresh.pk
    assert data["tiles"] == {"url": "", "attribution": ""}
