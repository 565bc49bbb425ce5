"""Texting as a full client: SHIFTS, JOIN, MY, DROP, HERE and HELP, in English and Spanish,
through the signed inbound webhook, with the replies sent by the real twilio client to a fake
Twilio. docs/sms-keywords.md is the specification these tests read as."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from twilio.request_validator import RequestValidator

from backend.crypto import keyed_hash
from backend.phones import phone_normalize
from backend.privacy.services import person_erase, retention_purge
from events.models import Language, SignupSource, SignupStatus, Volunteer
from events.services.volunteers import volunteer_get_or_create
from messaging.models import (
    ConsentMethod,
    InboundAction,
    InboundSms,
    ListKind,
    SmsConsent,
    SmsConversation,
    SmsMessage,
    SmsOptOut,
)
from messaging.services.consent import consent_record
from messaging.services.dispatch import sms_dispatch_due
from messaging.templates import is_gsm7, segments
from tests.events.helpers import e164, phone
from tests.messaging.conftest import AUTH_TOKEN, PUBLIC_BASE_URL

pytestmark = pytest.mark.django_db

# Monday 10:00 in Des Moines: outside quiet hours.
DAYTIME = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(DAYTIME, tick=True):
        yield


_sids = iter(range(1, 1_000_000))


def text(client, body: str, *, number: int = 1):
    """The person with test number `number` texts `body` to our number (a signed webhook)."""
    sid = f"SM{next(_sids):032d}"
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": e164(number),
        "To": "+15155550100",
        "Body": body,
        "NumMedia": "0",
    }
    url = PUBLIC_BASE_URL + "/api/sms/inbound"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    response = client.post(
        "/api/sms/inbound",
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert response.status_code == 200
    return InboundSms.objects.get(message_sid=sid)


def sent_to(fake_twilio, number: int = 1) -> list[str]:
    """Send what is due through the real twilio client; the bodies the fake Twilio accepted
    for `number`, in order."""
    sms_dispatch_due()
    return [m["Body"] for m in fake_twilio.accepted if m["To"] == e164(number)]


def volunteer(n: int, *, zip_code: str = "50309", language: str = Language.ENGLISH) -> Volunteer:
    made, _ = volunteer_get_or_create(
        phone=phone_normalize(phone(n)), name=f"Volunteer {n}", zip_code=zip_code, language=language
    )
    consent_record(volunteer=made, granted=True, method=ConsentMethod.WEB, wording="Form")
    return made


def conversation(number: int = 1) -> SmsConversation:
    return SmsConversation.objects.get(phone_hash=keyed_hash(e164(number)))


@pytest.fixture
def far_site(make_location):
    return make_location(
        name="Sioux City hall", city="SIOUX CITY", zip_code="51101", latitude=42.4963,
        longitude=-96.4049,
    )  # fmt: skip


@pytest.fixture
def two_shifts(make_event, make_shift):
    """Two open shifts in Des Moines (50309): a canvass on Wednesday, a caucus on Thursday."""
    wednesday = make_event(title="Canvass launch", starts_at=DAYTIME + timedelta(days=2))
    thursday = make_event(title="Caucus night", starts_at=DAYTIME + timedelta(days=3))
    return make_shift(wednesday), make_shift(thursday)


# --- SHIFTS ---------------------------------------------------------------------------------


def test_shifts_lists_the_next_open_public_shifts_near_the_volunteers_zip_numbered(
    api_client, fake_twilio, make_event, make_shift, two_shifts, far_site
):
    volunteer(1)
    wednesday, thursday = two_shifts
    make_shift(make_event(title="Far away", location=far_site, starts_at=DAYTIME + timedelta(1)))
    make_shift(make_event(title="Staff only", is_public=False))
    make_shift(make_event(title="Waitlist full"), capacity=1, waitlist_limit=0).signups.create(
        volunteer=volunteer(9), status=SignupStatus.CONFIRMED, source="web", position=1
    )
    make_shift(make_event(title="Yesterday", starts_at=DAYTIME - timedelta(days=1)))

    inbound = text(api_client, "shifts")

    assert inbound.action == InboundAction.SHIFTS
    [reply] = sent_to(fake_twilio)
    assert reply.startswith("DontLookAway: Shifts near 50309: 1) Wed Oct 7 10:00AM Canvass launch")
    assert "2) Thu Oct 8 10:00AM Caucus night" in reply
    assert "Far away" not in reply and "Staff only" not in reply
    assert "Waitlist full" not in reply and "Yesterday" not in reply
    assert reply.endswith("Reply JOIN and a number (JOIN 1) to sign up.")
    assert conversation().shift_ids == [wednesday.pk, thursday.pk]
    assert conversation().last_list == ListKind.SHIFTS


def test_shifts_leaves_out_the_shifts_the_volunteer_has_already(api_client, two_shifts, sign_up):
    wednesday, thursday = two_shifts
    sign_up(wednesday, 1)
    Volunteer.objects.filter(phone_hash=keyed_hash(e164(1))).update(zip_code="50309")

    text(api_client, "SHIFTS")

    assert conversation().shift_ids == [thursday.pk]


def test_a_full_shift_with_room_on_its_waitlist_is_listed_as_such(
    api_client, fake_twilio, make_shift
):
    volunteer(1)
    shift = make_shift(capacity=1)
    shift.signups.create(
        volunteer=volunteer(9), status=SignupStatus.CONFIRMED, source="web", position=1
    )

    text(api_client, "SHIFTS")

    assert "(full: waitlist)." in sent_to(fake_twilio)[0]


def test_shifts_without_a_known_zip_asks_for_one_and_shifts_with_a_zip_uses_it(
    api_client, fake_twilio, two_shifts
):
    volunteer(1, zip_code="")

    text(api_client, "SHIFTS")
    text(api_client, "Shifts 50309")

    first, second = sent_to(fake_twilio)
    assert first == "DontLookAway: Text SHIFTS and your ZIP code, for example SHIFTS 50309."
    assert second.startswith("DontLookAway: Shifts near 50309: 1) ")


def test_a_zip_without_any_known_site_lists_the_next_shifts_anywhere(
    api_client, fake_twilio, two_shifts
):
    volunteer(1, zip_code="52001")

    text(api_client, "SHIFTS")

    reply = sent_to(fake_twilio)[0]
    assert reply.startswith("DontLookAway: No sites known near 52001; next shifts: 1) ")
    assert len(conversation().shift_ids) == 2


def test_a_sensitive_event_is_listed_by_its_city_only(
    api_client, fake_twilio, make_event, make_shift, make_location
):
    volunteer(1)
    make_location()  # a public site in 50309, so the ZIP code is placed
    home = make_location(name="A family's home", address="77 SECRET LN", city="DES MOINES")
    make_shift(make_event(title="Check-in accompaniment", location=home, is_sensitive=True))

    text(api_client, "SHIFTS")

    reply = sent_to(fake_twilio)[0]
    assert "Check-in accompaniment, DES MOINES, canvasser." in reply
    assert "SECRET" not in reply and "family" not in reply


def test_a_long_list_is_cut_to_two_segments_and_only_the_listed_items_are_remembered(
    api_client, fake_twilio, make_event, make_shift, make_location
):
    volunteer(1)
    for day in range(1, 6):
        site = make_location(address="1234 MARTIN LUTHER KING JR PARKWAY NORTHWEST SUITE 400")
        event = make_event(
            title="Precinct captain training and phone bank night",
            location=site,
            starts_at=DAYTIME + timedelta(days=day),
        )
        make_shift(event, role="precinct_captain")

    text(api_client, "SHIFTS")

    reply = sent_to(fake_twilio)[0]
    remembered = conversation().shift_ids
    assert is_gsm7(reply) and segments(reply) == 2
    assert 1 <= len(remembered) < 5
    assert f"{len(remembered)}) " in reply and f"{len(remembered) + 1}) " not in reply


# --- JOIN -----------------------------------------------------------------------------------


def test_join_with_a_zip_from_a_new_number_creates_the_volunteer_with_consent_and_discloses(
    api_client, fake_twilio, two_shifts
):
    inbound = text(api_client, "Join 50309 María López")

    created = Volunteer.objects.get(phone_hash=keyed_hash(e164(1)))
    assert (created.name, created.zip_code, created.language) == ("María López", "50309", "en")
    inbound.refresh_from_db()
    assert inbound.volunteer_id == created.pk and inbound.action == InboundAction.SHIFTS
    assert SmsMessage.objects.get(in_reply_to=inbound).volunteer_id == created.pk
    [consent] = SmsConsent.objects.filter(volunteer=created)
    assert (consent.granted, consent.method) == (True, ConsentMethod.SMS)
    assert consent.wording.startswith("Texted JOIN to our number. Answered: DontLookAway volunteer")
    disclosure, listing = sent_to(fake_twilio)
    assert disclosure == (
        "DontLookAway volunteer texts: you're in! Msg frequency varies. Msg&data rates may apply. "
        "Reply HELP for help, STOP to opt out."
    )
    assert consent.wording.endswith(disclosure)
    assert listing.startswith("DontLookAway: Shifts near 50309: 1) ")


def test_join_n_signs_up_for_item_n_and_the_confirmation_with_its_code_is_the_one_answer(
    api_client, fake_twilio, two_shifts
):
    me = volunteer(1)
    wednesday, thursday = two_shifts
    text(api_client, "SHIFTS")

    inbound = text(api_client, "JOIN 2")

    signup = thursday.signups.get(volunteer=me)
    assert (signup.status, signup.source) == (SignupStatus.CONFIRMED, SignupSource.SMS)
    assert (inbound.action, inbound.signup_id) == (InboundAction.JOINED, signup.pk)
    assert not SmsMessage.objects.filter(in_reply_to=inbound).exists()
    _listing, confirmation = sent_to(fake_twilio)
    assert confirmation.startswith("DontLookAway: You're confirmed as canvasser for Caucus night")
    assert f"At the site, text HERE {thursday.short_code}." in confirmation
    assert not wednesday.signups.exists()


def test_join_in_quiet_hours_answers_at_once_and_the_confirmation_waits_for_morning(
    api_client, fake_twilio, two_shifts, settings
):
    settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END = 21, 8
    me = volunteer(1)
    _, thursday = two_shifts
    night = datetime(2026, 10, 6, 3, 30, tzinfo=UTC)  # 22:30 in Des Moines
    with time_machine.travel(night, tick=False):
        text(api_client, "SHIFTS")
        inbound = text(api_client, "JOIN 2")
        replies = sent_to(fake_twilio)

    signup = thursday.signups.get(volunteer=me)
    assert replies[-1] == SmsMessage.objects.get(in_reply_to=inbound).body
    assert replies[-1].startswith("DontLookAway: You're confirmed as canvasser for Caucus night")
    confirmation = SmsMessage.objects.get(signup=signup, kind="confirmation")
    assert confirmation.status == "queued"
    assert confirmation.send_after == datetime(2026, 10, 6, 13, 0, tzinfo=UTC)  # 8:00 local


@pytest.mark.parametrize("reply", ["1", "#1", "JOIN 1", "join #1", "Join: 1.", "unir 1", "Únir 1"])
def test_a_bare_number_right_after_a_shifts_list_means_join(api_client, two_shifts, reply):
    me = volunteer(1)
    wednesday, _ = two_shifts
    text(api_client, "SHIFTS")

    inbound = text(api_client, reply)

    assert inbound.action == InboundAction.JOINED
    assert wednesday.signups.get(volunteer=me).status == SignupStatus.CONFIRMED


def test_join_n_from_a_new_number_after_shifts_with_a_zip_makes_the_record_first(
    api_client, fake_twilio, two_shifts
):
    _, thursday = two_shifts
    text(api_client, "SHIFTS 50309")

    text(api_client, "JOIN 2")

    created = Volunteer.objects.get(phone_hash=keyed_hash(e164(1)))
    assert created.zip_code == "50309"
    assert thursday.signups.get(volunteer=created).status == SignupStatus.CONFIRMED
    assert SmsConsent.objects.filter(volunteer=created, method=ConsentMethod.SMS).exists()
    _listing, disclosure, confirmation = sent_to(fake_twilio)
    assert "Msg frequency varies" in disclosure
    assert "You're confirmed as canvasser for Caucus night" in confirmation


def test_join_of_a_full_shift_goes_on_the_waitlist_like_the_api(
    api_client, fake_twilio, make_shift
):
    me = volunteer(1)
    shift = make_shift(capacity=1)
    shift.signups.create(
        volunteer=volunteer(9), status=SignupStatus.CONFIRMED, source="web", position=1
    )
    shift.signup_sequence = 1
    shift.save()
    text(api_client, "SHIFTS")

    text(api_client, "JOIN 1")

    assert shift.signups.get(volunteer=me).status == SignupStatus.WAITLISTED
    assert "is full, so you're on the waitlist" in sent_to(fake_twilio)[-1]


def test_join_of_a_shift_whose_waitlist_filled_since_the_list_is_refused(
    api_client, fake_twilio, make_shift
):
    me = volunteer(1)
    shift = make_shift(capacity=1, waitlist_limit=1)
    text(api_client, "SHIFTS")
    shift.signups.create(
        volunteer=volunteer(8), status=SignupStatus.CONFIRMED, source="web", position=1
    )
    shift.signups.create(
        volunteer=volunteer(9), status=SignupStatus.WAITLISTED, source="web", position=2
    )
    shift.signup_sequence = 2
    shift.save()

    inbound = text(api_client, "JOIN 1")

    assert inbound.action == InboundAction.KEYWORD
    assert not shift.signups.filter(volunteer=me).exists()
    assert sent_to(fake_twilio)[-1] == (
        "DontLookAway: Sorry, Caucus night, Thu Oct 8 10:00AM is full, waitlist too. "
        "Text SHIFTS for other shifts."
    )


def test_join_of_a_shift_overlapping_one_the_volunteer_has_is_refused(
    api_client, fake_twilio, make_event, make_shift, sign_up
):
    first = make_shift(make_event(title="Canvass launch"))
    sign_up(first, 1)
    Volunteer.objects.filter(phone_hash=keyed_hash(e164(1))).update(zip_code="50309")
    overlapping = make_shift(make_event(title="Phone bank"), starts_at=first.starts_at)
    text(api_client, "SHIFTS")
    listed = conversation().shift_ids

    text(api_client, f"JOIN {listed.index(overlapping.pk) + 1}")

    assert not overlapping.signups.exists()
    assert sent_to(fake_twilio)[-1].startswith(
        "DontLookAway: Phone bank, Thu Oct 8 10:00AM overlaps a shift you already have."
    )


def test_join_of_a_sensitive_event_by_an_unvetted_volunteer_is_held_for_approval(
    api_client, fake_twilio, make_event, make_shift, make_location
):
    me = volunteer(1)
    make_location()
    shift = make_shift(make_event(title="Accompaniment", is_sensitive=True))
    text(api_client, "SHIFTS")

    inbound = text(api_client, "JOIN 1")

    assert shift.signups.get(volunteer=me).status == SignupStatus.PENDING
    assert inbound.action == InboundAction.JOINED
    assert sent_to(fake_twilio)[-1] == (
        "DontLookAway: Thanks! Accompaniment, Thu Oct 8 10:00AM needs an organizer's OK first. "
        "We'll text you once you're confirmed."
    )


def test_a_list_expires_and_a_number_after_it_means_nothing(api_client, fake_twilio, two_shifts):
    volunteer(1)
    text(api_client, "SHIFTS")

    with time_machine.travel(DAYTIME + timedelta(minutes=31), tick=False):
        inbound = text(api_client, "JOIN 1")
        bare = text(api_client, "1")
        replies = sent_to(fake_twilio)

    assert inbound.action == bare.action == InboundAction.KEYWORD
    assert not two_shifts[0].signups.exists()
    assert (
        replies[-1]
        == replies[-2]
        == (
            "DontLookAway: That list has expired (or there is none). Text SHIFTS for open shifts or "
            "MY for yours."
        )
    )


def test_join_n_beyond_the_list_says_so(api_client, fake_twilio, two_shifts):
    volunteer(1)
    text(api_client, "SHIFTS")

    text(api_client, "JOIN 7")

    assert sent_to(fake_twilio)[-1] == (
        "DontLookAway: Your last list has no number 7. Text SHIFTS for a new list."
    )


def test_a_number_with_no_list_ever_is_unknown_text_answered_once_a_day(
    api_client, fake_twilio, two_shifts
):
    volunteer(1)

    first, second = text(api_client, "2"), text(api_client, "2")

    assert first.action == second.action == InboundAction.STORED
    [reply] = sent_to(fake_twilio)
    assert reply.startswith("DontLookAway: Text SHIFTS for shifts near you, JOIN 2 to sign up")
    assert not two_shifts[1].signups.exists()


def test_join_n_with_no_list_answers_how_to_get_one(api_client, fake_twilio):
    volunteer(1)

    assert text(api_client, "join 2").action == InboundAction.KEYWORD
    assert "Text SHIFTS for open shifts" in sent_to(fake_twilio)[0]


# --- MY, DROP -------------------------------------------------------------------------------


def test_my_lists_upcoming_shifts_with_their_codes_and_drop_n_cancels_and_promotes(
    api_client, fake_twilio, make_event, make_shift, sign_up
):
    soon = make_shift(make_event(title="Canvass launch"), capacity=1)
    later = make_shift(make_event(title="Caucus night", starts_at=DAYTIME + timedelta(days=5)))
    mine = sign_up(soon, 1).signup
    sign_up(later, 1)
    waiting = sign_up(soon, 2).signup
    sms_dispatch_due()
    fake_twilio.accepted.clear()

    listed = text(api_client, "MY")
    dropped = text(api_client, "DROP 1")

    assert listed.action == InboundAction.MY_SHIFTS
    assert (dropped.action, dropped.signup_id) == (InboundAction.CANCELLED, mine.pk)
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == (SignupStatus.CANCELLED, SignupStatus.CONFIRMED)
    listing, cancelled = sent_to(fake_twilio, 1)
    assert listing == (
        f"DontLookAway: Your shifts: 1) Thu Oct 8 10:00AM Canvass launch, code {soon.short_code}. "
        f"2) Sat Oct 10 10:00AM Caucus night, code {later.short_code}. "
        "Text DROP and a number (DROP 1) to cancel one."
    )
    assert cancelled.startswith("DontLookAway: Done, you're off Canvass launch")
    assert sent_to(fake_twilio, 2)[0].startswith("DontLookAway: A spot opened!")


def test_a_bare_number_after_a_my_list_never_cancels(api_client, fake_twilio, make_shift, sign_up):
    mine = sign_up(make_shift(), 1).signup
    text(api_client, "MIS")

    inbound = text(api_client, "1")

    mine.refresh_from_db()
    assert mine.status == SignupStatus.CONFIRMED
    assert inbound.action == InboundAction.KEYWORD
    assert sent_to(fake_twilio)[-1].startswith("DontLookAway: To cancel shift 1, text DROP 1.")


def test_drop_n_picks_from_this_numbers_own_list_only(api_client, fake_twilio, make_shift, sign_up):
    shift = make_shift()
    theirs = sign_up(shift, 1).signup
    sign_up(make_shift(starts_at=DAYTIME + timedelta(days=6)), 2)
    text(api_client, "MY", number=1)

    inbound = text(api_client, "DROP 1", number=2)

    theirs.refresh_from_db()
    assert theirs.status == SignupStatus.CONFIRMED
    assert inbound.action == InboundAction.KEYWORD
    assert "That list has expired (or there is none)" in sent_to(fake_twilio, 2)[-1]


def test_join_alone_from_a_new_number_asks_for_the_zip_code(api_client, fake_twilio):
    inbound = text(api_client, "JOIN")

    assert inbound.action == InboundAction.KEYWORD
    assert not Volunteer.objects.exists()
    assert sent_to(fake_twilio) == [
        "DontLookAway: To volunteer, text JOIN and your ZIP code, for example JOIN 50309."
    ]


def test_my_without_a_record_and_without_shifts(api_client, fake_twilio):
    text(api_client, "MY", number=1)
    volunteer(2)
    text(api_client, "my shifts", number=2)

    assert sent_to(fake_twilio, 1) == [
        "DontLookAway: To volunteer, text JOIN and your ZIP code, for example JOIN 50309."
    ]
    assert sent_to(fake_twilio, 2) == [
        "DontLookAway: You have no upcoming shifts. Text SHIFTS to find one."
    ]


@pytest.mark.parametrize("word", ["STOP", "CANCEL", "END", "QUIT", "UNSUBSCRIBE", "PARAR", "BAJA"])
def test_opt_out_words_stay_opt_outs_even_right_after_a_my_list(
    api_client, make_shift, sign_up, word
):
    mine = sign_up(make_shift(), 1).signup
    text(api_client, "MY")

    inbound = text(api_client, word)

    mine.refresh_from_db()
    assert inbound.action == InboundAction.OPTED_OUT
    assert mine.status == SignupStatus.CONFIRMED
    assert SmsOptOut.objects.filter(phone_hash=keyed_hash(e164(1))).exists()


def test_an_opted_out_number_gets_no_list_and_no_signup(api_client, fake_twilio, two_shifts):
    volunteer(1)
    text(api_client, "SHIFTS")
    text(api_client, "STOP")
    fake_twilio.accepted.clear()

    listing, joined = text(api_client, "SHIFTS"), text(api_client, "JOIN 1")

    assert listing.action == joined.action == InboundAction.STORED
    assert not two_shifts[0].signups.exists()
    assert sent_to(fake_twilio) == []


# --- HERE -----------------------------------------------------------------------------------


def test_here_with_the_code_checks_in_within_the_hour_before_the_shift(
    api_client, fake_twilio, make_shift, sign_up
):
    shift = make_shift(starts_at=DAYTIME + timedelta(minutes=90))
    mine = sign_up(shift, 1).signup

    early = text(api_client, f"HERE {shift.short_code}")
    with time_machine.travel(DAYTIME + timedelta(minutes=40), tick=False):
        arrived = text(api_client, f"here {shift.short_code.lower()}")
        again = text(api_client, f"HERE {shift.short_code}")
        replies = sent_to(fake_twilio)

    mine.refresh_from_db()
    assert (early.action, arrived.action, again.action) == (
        InboundAction.KEYWORD, InboundAction.ARRIVED, InboundAction.KEYWORD,
    )  # fmt: skip
    assert mine.status == SignupStatus.ATTENDED
    assert mine.checked_in_at == DAYTIME + timedelta(minutes=40)
    assert mine.attendance_marked_by is None
    assert replies[-3].startswith("DontLookAway: Caucus night starts Mon Oct 5 11:30AM.")
    assert (
        replies[-2] == "DontLookAway: You're checked in for Caucus night, Mon Oct 5 11:30AM. "
        "Thank you for coming!"
    )
    assert replies[-1].startswith("DontLookAway: You're already checked in")


def test_here_alone_checks_in_to_the_one_shift_open_for_check_in(api_client, make_shift, sign_up):
    mine = sign_up(make_shift(starts_at=DAYTIME + timedelta(minutes=30)), 1).signup
    sign_up(make_shift(starts_at=DAYTIME + timedelta(days=2)), 1)

    assert text(api_client, "HERE").action == InboundAction.ARRIVED

    mine.refresh_from_db()
    assert mine.status == SignupStatus.ATTENDED


def test_here_with_the_code_of_another_volunteers_shift_checks_no_one_in(
    api_client, fake_twilio, make_shift, sign_up
):
    theirs_shift = make_shift(starts_at=DAYTIME + timedelta(minutes=30))
    theirs = sign_up(theirs_shift, 1).signup
    sign_up(make_shift(starts_at=DAYTIME + timedelta(minutes=30), capacity=5), 2)

    inbound = text(api_client, f"HERE {theirs_shift.short_code}", number=2)

    theirs.refresh_from_db()
    assert inbound.action == InboundAction.KEYWORD
    assert theirs.status == SignupStatus.CONFIRMED and theirs.checked_in_at is None
    assert sent_to(fake_twilio, 2)[-1] == (
        f"DontLookAway: None of your shifts has code {theirs_shift.short_code}. Text MY to see "
        "your shifts and their codes."
    )


def test_a_waitlisted_volunteer_cannot_check_in(api_client, fake_twilio, make_shift, sign_up):
    shift = make_shift(starts_at=DAYTIME + timedelta(minutes=30), capacity=1)
    sign_up(shift, 1)
    waiting = sign_up(shift, 2).signup

    text(api_client, f"HERE {shift.short_code}", number=2)

    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.WAITLISTED
    assert "You're not confirmed for Caucus night" in sent_to(fake_twilio, 2)[-1]


# --- Spanish, accents, lower case; HELP -----------------------------------------------------


def test_spanish_keywords_from_a_new_number_answer_in_spanish(api_client, fake_twilio, two_shifts):
    text(api_client, "turnos")
    joined = text(api_client, "UNIR 50309")

    created = Volunteer.objects.get(phone_hash=keyed_hash(e164(1)))
    assert created.language == "es" and created.name == "Text volunteer"
    assert SmsMessage.objects.get(in_reply_to=joined).language == "es"
    asked, disclosure, listing = sent_to(fake_twilio)
    assert asked == "DontLookAway: Manda TURNOS y tu codigo postal, por ejemplo TURNOS 50309."
    assert disclosure.startswith("Mensajes de voluntarios de DontLookAway: ya estas dentro!")
    assert listing.startswith("DontLookAway: Turnos cerca de 50309: 1) mie 7 oct 10:00 ")
    assert all(is_gsm7(body) for body in (asked, disclosure, listing))


def test_unir_with_an_accent_and_llegue_with_one_work_for_a_spanish_volunteer(
    api_client, fake_twilio, make_shift
):
    me = volunteer(1, language=Language.SPANISH)
    shift = make_shift(starts_at=DAYTIME + timedelta(minutes=30))
    text(api_client, "Turnos")

    text(api_client, "únir 1")
    _listing, confirmation = sent_to(fake_twilio)
    text(api_client, f"LLEGUÉ {shift.short_code}")

    signup = shift.signups.get(volunteer=me)
    assert signup.status == SignupStatus.ATTENDED
    replies = sent_to(fake_twilio)
    assert confirmation.startswith("DontLookAway: Confirmado como puerta a puerta")
    assert f"Al llegar, manda LLEGUE {shift.short_code}." in confirmation
    assert replies[2].startswith("DontLookAway: Llegada registrada para Caucus night")


@pytest.mark.parametrize(
    ("word", "start"),
    [
        ("HELP", "DontLookAway: Text SHIFTS for shifts near you, JOIN 2 to sign up"),
        ("ayuda", "DontLookAway: Manda TURNOS para ver turnos cerca, UNIR 2 para anotarte"),
    ],
)
def test_help_lists_the_keywords_in_the_language_of_the_word(api_client, fake_twilio, word, start):
    inbound = text(api_client, word)

    [reply] = sent_to(fake_twilio)
    assert inbound.action == InboundAction.HELP
    assert reply.startswith(start)
    assert "STOP" in reply and segments(reply) <= 2


# --- What is kept ---------------------------------------------------------------------------


def test_a_conversation_keeps_no_number_and_goes_when_expired_or_the_person_is_erased(
    api_client, organizer, two_shifts
):
    me = volunteer(1)
    text(api_client, "SHIFTS", number=1)
    text(api_client, "SHIFTS 50309", number=2)
    kept = conversation(2)

    assert e164(1) not in str(SmsConversation.objects.values().get(pk=conversation(1).pk))
    person_erase(kind="volunteer", subject_id=me.pk, actor=organizer)
    assert not SmsConversation.objects.filter(phone_hash=keyed_hash(e164(1))).exists()
    assert SmsConversation.objects.filter(pk=kept.pk).exists()
    with time_machine.travel(DAYTIME + timedelta(minutes=31), tick=False):
        results = retention_purge()
    assert results["sms_conversations"] == {"sms_conversations_deleted": 1}
    assert not SmsConversation.objects.exists()
