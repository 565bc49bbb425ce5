"""A field lead's day in a real browser (headless Chromium through Playwright), against the
live server: log in, import a voter file, draw a turf by mouse, auto-cut a precinct, assign,
watch progress change as a canvasser's logs arrive through the API, work the review queue and
check a volunteer in. Every page is screenshotted and scanned by axe-core."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.accounts.services import token_issue
from backend.crypto import keyed_hash
from backend.phones import phone_normalize
from canvass.models import ConversationLog, Endorsement, EndorsementStatus, ImportJob, Turf
from events.models import Signup, SignupSource, SignupStatus
from events.services.volunteers import volunteer_get_or_create
from tests.canvass.conftest import assign, batch, log_item, make_household, make_turf
from tests.console.browser import check_page
from tests.console.conftest import PASSWORDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "voter_id,first_name,last_name,party,birth_year,phone,street,unit,city,state,zip,latitude,longitude"
LAT0, LON0 = 41.586, -93.625  # a 3 x 4 grid of doors ~100 m apart, inside the test precinct


def voter_file() -> bytes:
    lines = [HEADER]
    n = 0
    for row in range(3):
        for col in range(4):
            n += 1
            lines.append(
                f"V{n:06d},Fake,Person{n},DEM,1980,,{n} GRID ST,,DES MOINES,IA,50309,"
                f"{LAT0 + row * 0.0009:.5f},{LON0 + col * 0.0012:.5f}"
            )
    lines.append("V999999,Bad,Row,DEM,1980,,,,DES MOINES,IA,50309,41.5,-93.6")  # no street
    return ("\n".join(lines) + "\n").encode()


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/console/")


def nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def push_logs(base: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (the live server on 127.0.0.1)
        f"{base}/api/sync/push",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_a_field_leads_day_in_the_browser(
    page,
    live_server,
    lead_a,
    canvasser_a,
    precinct,
):
    from playwright.sync_api import expect

    base = live_server.url
    page.goto(f"{base}/console/login")
    check_page(page, "login")
    log_in(page, base, "lead_a")
    check_page(page, "home")

    # Import the voter file: the job page follows it to the end and lists the bad row.
    nav(page, "Imports")
    page.get_by_label("Voter file (CSV)").set_input_files(
        files=[{"name": "polk.csv", "mimeType": "text/csv", "buffer": voter_file()}]
    )
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("#import-bar")).to_have_attribute("data-state", "done")
    expect(page.locator("#import-percent")).to_have_text("100.0%")
    expect(page.locator("#rows-stored")).to_have_text("12")
    expect(page.get_by_role("cell", name="street", exact=False).first).to_be_visible()
    check_page(page, "import")
    assert ImportJob.objects.get().rows_stored == 12

    # Draw a turf around the first 2 x 2 doors, by mouse.
    nav(page, "Turf map")
    page.wait_for_function("() => window.consoleMap !== undefined")
    page.evaluate("() => window.consoleMap.fitBounds([[41.5852, -93.6262], [41.5882, -93.6205]])")
    page.wait_for_timeout(400)
    corners = page.evaluate(
        """() => {
          const map = window.consoleMap, box = map.getContainer().getBoundingClientRect();
          return [[41.5855, -93.6256], [41.5855, -93.6232], [41.5874, -93.6232], [41.5874, -93.6256]]
            .map(ll => { const p = map.latLngToContainerPoint(ll); return [box.left + p.x, box.top + p.y]; });
        }"""
    )
    check_page(page, "map")
    page.get_by_role("button", name="Draw a polygon").click()
    for x, y in [*corners, corners[0]]:
        page.mouse.move(x, y, steps=4)
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    expect(page.locator("#draw-status")).to_contain_text("Polygon drawn")
    page.get_by_label("Turf name").fill("Grid north-west")
    check_page(page, "map-drawn")
    page.get_by_role("button", name="Create turf").click()
    expect(page.get_by_role("heading", name="Grid north-west")).to_be_visible()
    drawn = Turf.objects.get(name="Grid north-west")
    assert drawn.stops.filter(active=True).count() == 4
    expect(page.locator("#doors-total")).to_have_text("4")

    # Auto-cut the rest of the precinct: choose the sizes, click the precinct, one click more.
    nav(page, "Turf map")
    page.wait_for_function("() => window.consoleMap !== undefined")
    page.get_by_label("Fewest doors per turf").fill("2")
    page.get_by_label("Most doors per turf").fill("4")
    page.get_by_label("Name prefix").fill("Auto")
    page.evaluate("() => window.consoleMap.fitBounds([[41.575, -93.64], [41.60, -93.60]])")
    page.wait_for_timeout(400)
    x, y = page.evaluate(
        """() => {
          const map = window.consoleMap, box = map.getContainer().getBoundingClientRect();
          const p = map.latLngToContainerPoint([41.596, -93.606]);
          return [box.left + p.x, box.top + p.y];
        }"""
    )
    page.mouse.click(x, y)
    page.get_by_role("button", name="Auto-cut this precinct").click()
    expect(page.locator("#messages")).to_contain_text("Cut ")
    cut = Turf.objects.filter(name__startswith="Auto")
    assert cut.count() >= 2
    assert sum(t.stops.filter(active=True).count() for t in cut) == 8
    check_page(page, "turfs")

    # Assign the drawn turf to the team's canvasser.
    page.get_by_role("link", name="Grid north-west").click()
    page.get_by_label("Canvasser", exact=True).select_option(label="canvasser_a")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#messages")).to_contain_text("Assigned to canvasser_a")
    expect(page.locator("#doors-knocked")).to_have_text("0")

    # The canvasser's phone pushes two conversations; the page shows them without a reload.
    doors = [s.household for s in drawn.stops.select_related("household").order_by("position")]
    far = {"latitude": doors[1].latitude + 0.01, "longitude": doors[1].longitude, "accuracy_m": 8}
    pushed = push_logs(
        base,
        token_issue(user=canvasser_a).token,
        batch(log_item(doors[0], pledge="yes"), log_item(doors[1], location=far), pending_count=1),
    )
    assert pushed["counts"]["created"] == 2
    expect(page.locator("#doors-knocked")).to_have_text("2", timeout=10_000)
    expect(page.locator("#pledges-yes")).to_have_text("1")
    check_page(page, "turf")

    # Readiness: the canvasser synced and still holds one log.
    nav(page, "Readiness")
    expect(page.locator("#readiness-table")).to_contain_text("canvasser_a")
    check_page(page, "readiness")

    # The review queue: exclude the far-away log (confirmed), count it again, clear its flag.
    flagged = ConversationLog.objects.get(flag_distance=True)
    nav(page, "Review queue")
    expect(page.get_by_text("Logged far from the door")).to_be_visible()
    check_page(page, "review")
    page.get_by_label(f"Reason to exclude #{flagged.pk}").select_option("duplicate")
    page.get_by_role("button", name=f"Exclude #{flagged.pk}").click()
    expect(page.get_by_role("button", name=f"Count #{flagged.pk} again")).to_be_visible()
    flagged.refresh_from_db()
    assert flagged.excluded
    assert flagged.reviews.get().reason == "duplicate"
    page.get_by_role("button", name=f"Count #{flagged.pk} again").click()
    page.get_by_label(f"Reason to clear #{flagged.pk} (optional)").select_option("other")
    page.get_by_role("button", name=f"Clear flag on #{flagged.pk}").click()
    expect(page.get_by_text("Nothing to review.")).to_be_visible()
    flagged.refresh_from_db()
    assert not flagged.excluded and flagged.flag_cleared


def test_checking_in_a_volunteer_and_the_other_pages(
    page,
    live_server,
    lead_a,
    make_shift,
):
    from playwright.sync_api import expect

    shift = make_shift()
    volunteer, _ = volunteer_get_or_create(phone=phone_normalize("+15155550142"), name="Ana Ruiz")
    signup = Signup.objects.create(
        shift=shift,
        volunteer=volunteer,
        status=SignupStatus.CONFIRMED,
        source=SignupSource.WEB,
        position=1,
        confirmed_at=timezone.now() - timedelta(days=1),
    )
    base = live_server.url
    log_in(page, base, "lead_a")

    nav(page, "Events")
    check_page(page, "events")
    page.get_by_role("link", name=shift.event.title).click()
    check_page(page, "event")
    page.get_by_role("button", name="Check in Ana Ruiz").click()
    expect(page.locator("#messages")).to_contain_text("Ana Ruiz checked in.")
    expect(page.locator("#stat-attended")).to_have_text("1")
    signup.refresh_from_db()
    assert signup.status == SignupStatus.ATTENDED
    page.get_by_role("button", name="Undo for Ana Ruiz").click()
    expect(page.get_by_role("button", name="Check in Ana Ruiz")).to_be_visible()

    nav(page, "Texts")
    check_page(page, "texts")

    # Spanish, and a phone-sized screen.
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/console/")
    check_page(page, "home-es-phone")


def test_declaring_and_lifting_an_incident_and_moderating_an_endorsement(
    page, live_server, lead_a, organizer, canvasser_a, team_a, precinct, settings
):
    from playwright.sync_api import expect

    settings.SMS_BACKEND = "locmem"
    turf = make_turf(team_a, [make_household(41.586, -93.624)], name="Grid A1")
    make_turf(team_a, [make_household(41.588, -93.620)], name="Grid A2")
    canvasser_a.phone, canvasser_a.phone_hash = "+15155550101", keyed_hash("+15155550101")
    canvasser_a.safety_texts_consent_at = timezone.now() - timedelta(days=1)
    canvasser_a.save()
    assign(turf, canvasser_a)
    endorsement = Endorsement.objects.create(
        kind="person",
        name="Ana Garcia",
        city="Des Moines",
        zip_code="50309",
        status=EndorsementStatus.CONFIRMED,
        confirmed_at=timezone.now(),
        listed_publicly=True,
    )
    base = live_server.url
    log_in(page, base, "lead_a")

    # Declare over a turf list, by keyboard: tick the turf with the space bar.
    nav(page, "Incidents")
    page.wait_for_function("() => window.consoleMap !== undefined")
    page.get_by_label("Kind").select_option("police")
    page.get_by_label("Instruction to canvassers").fill("Stop knocking, meet at the van.")
    check_page(page, "incidents")
    page.get_by_role("button", name="Declare the incident and text everyone").click()
    expect(page.locator("#area-errors")).to_contain_text("Give exactly one")
    page.get_by_label("Grid A1").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Grid A1")).to_be_checked()
    page.get_by_role("button", name="Declare the incident and text everyone").click()
    expect(page.locator("#incident-notified")).to_have_text("1")
    expect(page.locator("#incident-turf-count")).to_have_text("1")
    check_page(page, "incident")
    turf.refresh_from_db()
    assert turf.paused_at is not None
    nav(page, "Turfs")
    expect(page.locator("#turfs-table")).to_contain_text("Paused: safety incident")
    nav(page, "Incidents")
    page.locator("#active-incidents a").first.click()
    page.get_by_role("button", name="Lift the incident").click()
    expect(page.locator("#incident-state")).to_have_text("Lifted")
    expect(page.locator("#incident-lift-notified")).to_have_text("1")
    turf.refresh_from_db()
    assert turf.paused_at is None

    # The other way to say where: draw the area around Grid A2's door on the map, by mouse.
    nav(page, "Incidents")
    page.wait_for_function("() => window.consoleMap !== undefined")
    page.get_by_text("Or draw the area on the map").click()
    page.wait_for_timeout(300)  # the map refits once its <details> opens
    page.locator("#map").scroll_into_view_if_needed()
    page.evaluate("() => window.consoleMap.fitBounds([[41.5865, -93.6225], [41.5895, -93.6175]])")
    page.wait_for_timeout(300)
    corners = page.evaluate(
        """() => {
          const map = window.consoleMap, box = map.getContainer().getBoundingClientRect();
          return [[41.5872, -93.6212], [41.5872, -93.6188], [41.5888, -93.6188], [41.5888, -93.6212]]
            .map(ll => { const p = map.latLngToContainerPoint(ll); return [box.left + p.x, box.top + p.y]; });
        }"""
    )
    page.get_by_role("button", name="Draw the area").click()
    for x, y in [*corners, corners[0]]:
        page.mouse.move(x, y, steps=4)
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    expect(page.locator("#incident-draw-status")).to_contain_text("Area drawn")
    page.get_by_label("Instruction to canvassers").fill("Go inside and wait for a text.")
    page.get_by_role("button", name="Declare the incident and text everyone").click()
    expect(page.locator("#incident-turfs")).to_have_text("Grid A2")
    page.get_by_role("button", name="Lift the incident").click()
    expect(page.locator("#incident-state")).to_have_text("Lifted")
    page.get_by_role("button", name="Log out lead_a").click()

    # An organizer hides an endorsement with a reason, then restores it.
    log_in(page, base, "organizer")
    nav(page, "Endorsements")
    check_page(page, "endorsements")
    page.get_by_role("link", name="Ana Garcia").click()
    page.get_by_role("button", name="Hide").click()
    expect(page.locator(".field-error")).to_be_visible()
    page.get_by_label("Reason").fill("Asked to be taken off the list")
    page.get_by_role("button", name="Hide").click()
    expect(page.locator("#endorsement-state")).to_have_text("Hidden")
    check_page(page, "endorsement")
    endorsement.refresh_from_db()
    assert endorsement.hidden and endorsement.hidden_reason == "Asked to be taken off the list"
    page.get_by_label("Reason").fill("Checked with the endorser")
    page.get_by_role("button", name="Restore").click()
    expect(page.locator("#endorsement-state")).to_have_text("Shown")
    endorsement.refresh_from_db()
    assert not endorsement.hidden

    # The incidents page on a phone-sized screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/console/incidents")
    check_page(page, "incidents-phone")
