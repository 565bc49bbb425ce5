"""Defects found by trying the served app from outside (review "rv2"), each pinned by HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Signup
from tests.events.helpers import signup_body

pytestmark = pytest.mark.django_db


def test_public_overlap_refusal_does_not_tell_a_stranger_where_the_number_will_be(
    api_client, make_event, make_shift
):
    """Anyone may type a known number into the public form. For a shift overlapping one the
    number already has, the 409 named the other event, its shift id, role and times: where and
    when that person will be, unlocked by merely knowing their number (issue 11, point 1's
    pattern). The public answer keeps the code but names nothing of the other signup."""
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    rally = make_event(title="Rally at the church", starts_at=start)
    other = make_event(title="Phone bank", starts_at=start + timedelta(hours=1))
    first = make_shift(event=rally, starts_at=start, ends_at=start + timedelta(hours=2))
    second = make_shift(event=other, starts_at=start + timedelta(hours=1))
    owner = api_client.post(f"/api/public/shifts/{first.pk}/signups", signup_body(1), format="json")
    assert owner.status_code == 201

    stranger = api_client.post(
        f"/api/public/shifts/{second.pk}/signups",
        signup_body(1, name="Someone else"),
        format="json",
    )

    assert stranger.status_code == 409
    error = stranger.json()["error"]
    assert error["code"] == "shift_overlap"
    assert "other_shift" not in error
    text = stranger.content.decode()
    assert "Rally" not in text and str(first.pk) not in error["message"]
    assert first.starts_at.isoformat() not in text
    assert Signup.objects.filter(shift=second).count() == 0


# --- Opt-out phrases the reader missed ------------------------------------------------------
# Each goes through the signed `POST /api/sms/inbound` and is checked like the table of
# tests/messaging/test_opt_out_phrases.py (same volunteer with consent and two shifts, the
# database and the texts sent). "No me vuelvan a escribir" ("don't write to me again") was read
# as "no" to the shift question: the shift was cancelled and the texts went on.

from tests.messaging import test_opt_out_phrases as phrases  # noqa: E402
from tests.messaging.conftest import sign_up, sms_settings  # noqa: E402, F401
from tests.messaging.test_opt_out_phrases import (  # noqa: E402, F401
    daytime,
    volunteer_with_shifts,
)

MISSED_REPLIES = [
    ("No me vuelvan a escribir", phrases.OPT_OUT, "es"),
    ("no me vuelvan a mandar mensajes", phrases.OPT_OUT, "es"),
    ("Basta ya de mensajes", phrases.OPT_OUT, "es"),
    ("Ya basta", phrases.OPT_OUT, "es"),
    ("basta por favor", phrases.OPT_OUT, "es"),
    ("por favor no más", phrases.OPT_OUT, "es"),
    ("No quiero más", phrases.OPT_OUT, "es"),
    ("no más de estos mensajes", phrases.OPT_OUT, "es"),
    ("Déjenme en paz", phrases.OPT_OUT, "es"),
    ("I do not want these texts", phrases.OPT_OUT, "en"),
    ("Quit texting me", phrases.OPT_OUT, "en"),
    ("no more please", phrases.OPT_OUT, "en"),
    # Still what they were.
    ("no más de dos horas, ¿verdad?", phrases.STORED, ""),
    ("No puedo ir el martes", phrases.CANCELLED, ""),
    ("No gracias", phrases.CANCELLED, ""),
]


@pytest.mark.parametrize(
    ("text", "expected", "language"), MISSED_REPLIES, ids=[r[0] for r in MISSED_REPLIES]
)
def test_more_ways_to_say_stop_opt_out(api_client, make_shift, request, text, expected, language):
    # The fixtures imported above, by name (a parameter would shadow the import).
    phrases.test_a_reply_is_read_for_what_it_means(
        api_client,
        make_shift,
        request.getfixturevalue("sign_up"),
        request.getfixturevalue("volunteer_with_shifts"),
        text,
        expected,
        language,
    )


def test_staff_overlap_refusal_names_only_a_shift_the_lead_may_see(
    api_client, client_for, lead_a, team_b, make_event, make_shift
):
    """A field lead of team A signing a number up was told the event, shift and times of the
    number's signup with team B, which every team-B route answers 404 for."""
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    theirs = make_event(title="Team B house meeting", team=team_b, starts_at=start)
    ours = make_event(title="Team A canvass", starts_at=start + timedelta(hours=1))
    first = make_shift(event=theirs, starts_at=start, ends_at=start + timedelta(hours=2))
    second = make_shift(event=ours, starts_at=start + timedelta(hours=1))
    assert (
        api_client.post(
            f"/api/public/shifts/{first.pk}/signups", signup_body(1), format="json"
        ).status_code
        == 201
    )

    response = client_for(lead_a).post(
        f"/api/shifts/{second.pk}/signups", signup_body(1), format="json"
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "shift_overlap"
    assert "other_shift" not in error
    assert "Team B" not in response.content.decode()
    assert Signup.objects.filter(shift=second).count() == 0


def test_proving_the_number_ends_the_links_whoever_typed_it_first_was_given(
    api_client, client_for, canvasser_a, make_shift, settings
):
    """A squatter types someone's number into the public form first and keeps the link of the
    answer. When the owner then proves the number (the texted code) and links their account,
    that link still opened the record: the owner's name-to-be, consent and signups, with a
    cancel button. Proof of the number must end every link issued before it."""
    from backend.sms.backends import locmem
    from tests.events.test_my_volunteer import link

    settings.SMS_BACKEND = "locmem"
    settings.SMS_RATE_PER_SECOND = 0
    locmem.outbox.clear()
    shift = make_shift()
    squatter = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups", signup_body(1, name="Squatter"), format="json"
    )
    token = squatter.json()["manage_token"]
    assert api_client.get(f"/api/public/me/{token}").status_code == 200

    linked = link(client_for(canvasser_a), 1)

    assert linked.status_code == 200
    assert api_client.get(f"/api/public/me/{token}").status_code == 404
    signup_id = squatter.json()["signup"]["id"]
    cancel = api_client.post(f"/api/public/me/{token}/signups/{signup_id}/cancel")
    assert cancel.status_code == 404
    assert Signup.objects.get(pk=signup_id).status == "confirmed"
    # The owner's own link, answered by the link, works.
    own = linked.json()["manage_url"].rsplit("/", 1)[-1]
    assert api_client.get(f"/api/public/me/{own}").status_code == 200
    locmem.outbox.clear()


def test_a_stranger_at_the_form_cannot_undo_the_owners_no_to_texts(
    api_client, client_for, canvasser_a, make_event, make_shift, settings
):
    """The owner proved the number and answered "no texts". Anyone who then typed that number
    into the public form with the box ticked appended a newer "granted" entry, and texts about
    that signup went to the owner again. An unproven form answer may withdraw consent, never
    overturn a withdrawal."""
    from backend.sms.backends import locmem
    from events.models import Volunteer
    from messaging.models import SmsConsent, SmsMessage
    from tests.events.test_my_volunteer import link

    settings.SMS_BACKEND = "locmem"
    settings.SMS_RATE_PER_SECOND = 0
    locmem.outbox.clear()
    assert link(client_for(canvasser_a), 1, sms_consent=False).status_code == 200
    volunteer = Volunteer.objects.get(user=canvasser_a)
    shift = make_shift()

    response = api_client.post(
        f"/api/public/shifts/{shift.pk}/signups",
        signup_body(1, name="Someone else", sms_consent=True),
        format="json",
    )

    assert response.status_code == 201
    latest = SmsConsent.objects.filter(volunteer=volunteer).order_by("-recorded_at", "-id")[0]
    assert latest.granted is False
    mine = client_for(canvasser_a).get("/api/me/volunteer").json()
    assert mine["sms_consent"] is False
    queued = SmsMessage.objects.filter(volunteer=volunteer, kind="confirmation")
    assert all(message.status == "skipped" for message in queued)
    locmem.outbox.clear()
