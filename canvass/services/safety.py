"""Field safety: sessions, check-ins (by the app or by text), PINs and missed-check-in escalation.

A session watches one deadline at a time (`next_checkin_due_at`: the next check-in or the
expected end, whichever comes first). When it passes, `safety_escalations_run` texts the
canvasser; SAFETY_FIELD_LEAD_GRACE_MINUTES later their field leads; SAFETY_ORGANIZER_GRACE_MINUTES
after that the organizers. Each step is claimed in the database before anything is queued (the
session row under SELECT ... FOR UPDATE SKIP LOCKED, then the step's row under a unique
constraint), so two workers never send the same step twice. A check-in resolves the steps and
tells whoever was alerted that the canvasser checked in.

The duress PIN answers exactly like a normal check-in or end; only the field leads and
organizers learn, at once, with the last location.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from backend.accounts.models import Role, Team, User
from backend.audit.services import audit_record
from backend.errors import ApplicationError, NotFoundError, PermissionDeniedError
from canvass.errors import (
    SessionAlreadyOpenError,
    SessionEndedError,
    TurfNotAssignedError,
    WrongPinError,
)
from canvass.models import (
    EscalationStep,
    FieldSession,
    FieldSessionStatus,
    SafetyEscalation,
    SafetyEscalationText,
    SafetyPin,
    TeamSafetySettings,
    Turf,
    TurfAssignment,
)
from canvass.models.safety import CHECKIN_INTERVAL_MAX_MINUTES, CHECKIN_INTERVAL_MIN_MINUTES
from canvass.selectors.safety import team_checkin_interval
from messaging import catalog
from messaging.models import InboundAction, SmsKind
from messaging.services.inbound import InboundContext, Outcome
from messaging.services.outbox import sms_safety_enqueue
from messaging.templates import render_safety

PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
# A field session may be planned up to this far ahead of its start.
MAX_SESSION_HOURS = 16

# Text keywords (matched after `keyword_of`: trimmed, upper case, accents folded), optionally
# followed by a PIN: "OK", "OK 4821", "BIEN", "HOME", "CASA 4821".
CHECK_IN_WORDS = {"OK", "BIEN", "SAFE"}
END_WORDS = {"HOME", "HOME SAFE", "CASA"}
TEXT_PATTERN = re.compile(r"^(?P<word>OK|BIEN|SAFE|HOME SAFE|HOME|CASA)(?:\s+(?P<pin>\d{1,12}))?$")

# The texts' words are the catalogue's "checkin.*" names (messaging/locale/*/LC_MESSAGES/sms.po).


# --- Small helpers --------------------------------------------------------------------------


def _clock(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.strftime("%I:%M %p").lstrip("0")


def _detail(language: str, key: str, **values: str) -> str:
    return catalog.text(f"checkin.{key}", language).format(**values)


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _where(session: FieldSession, language: str) -> str:
    if not session.last_location:
        return ""
    return _detail(
        language, "where", location=session.last_location, at=_clock(session.last_location_at)
    )


def field_leads_of(*, session: FieldSession) -> QuerySet[User]:
    """The field leads of the turf's team (never the canvasser themself)."""
    return (
        User.objects.filter(
            role=Role.FIELD_LEAD, is_active=True, memberships__team_id=session.turf.team_id
        )
        .exclude(pk=session.canvasser_id)
        .order_by("id")
    )


def organizers_of(*, session: FieldSession) -> QuerySet[User]:
    """The organizers who are members of the turf's team; every organizer when none is."""
    organizers = User.objects.filter(role=Role.ORGANIZER, is_active=True).exclude(
        pk=session.canvasser_id
    )
    of_team = organizers.filter(memberships__team_id=session.turf.team_id)
    return (of_team if of_team.exists() else organizers).order_by("id")


def _next_deadline(session: FieldSession, now: datetime) -> datetime:
    after_interval = now + timedelta(minutes=session.checkin_interval_minutes)
    if now < session.expected_end_at:
        return min(after_interval, session.expected_end_at)
    return after_interval


# --- Team settings --------------------------------------------------------------------------


def team_safety_settings_update(
    *, actor: User, team: Team, checkin_interval_minutes: int
) -> TeamSafetySettings:
    """Set a team's check-in interval (organizers, or a field lead of that team). Sessions
    already open keep the interval they started with."""
    if actor.role not in (Role.ORGANIZER, Role.FIELD_LEAD):
        raise PermissionDeniedError("Only organizers and field leads set check-in intervals.")
    if actor.role == Role.FIELD_LEAD and not team.memberships.filter(user=actor).exists():
        raise NotFoundError("No such team.")
    if not CHECKIN_INTERVAL_MIN_MINUTES <= checkin_interval_minutes <= CHECKIN_INTERVAL_MAX_MINUTES:
        raise ApplicationError(
            "The check-in interval is out of bounds.",
            fields={
                "checkin_interval_minutes": [
                    f"Between {CHECKIN_INTERVAL_MIN_MINUTES} and {CHECKIN_INTERVAL_MAX_MINUTES}."
                ]
            },
        )
    with transaction.atomic():
        row, _ = TeamSafetySettings.objects.update_or_create(
            team=team,
            defaults={
                "checkin_interval_minutes": checkin_interval_minutes,
                "updated_by": actor,
                "updated_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action="safety.interval_set",
            target=team,
            details={"checkin_interval_minutes": checkin_interval_minutes},
        )
    return row


# --- PINs -----------------------------------------------------------------------------------


def _pin_problem(pin: str) -> str | None:
    return None if PIN_PATTERN.match(pin) else "4 to 8 digits."


def safety_pin_set(*, actor: User, duress_pin: str, all_clear_pin: str = "") -> SafetyPin:
    """Set one's own PINs (hashed like passwords). The duress PIN is required; the all-clear
    PIN, if given, must differ from it, and once set every check-in and end needs a PIN."""
    problems: dict[str, list[str]] = {}
    if problem := _pin_problem(duress_pin):
        problems["duress_pin"] = [problem]
    if all_clear_pin and (problem := _pin_problem(all_clear_pin)):
        problems["all_clear_pin"] = [problem]
    if not problems and all_clear_pin == duress_pin:
        problems["all_clear_pin"] = ["Must differ from the duress PIN."]
    if problems:
        raise ApplicationError("Invalid PIN.", fields=problems)
    with transaction.atomic():
        row, _ = SafetyPin.objects.update_or_create(
            user=actor,
            defaults={
                "duress_pin_hash": make_password(duress_pin),
                "all_clear_pin_hash": make_password(all_clear_pin) if all_clear_pin else "",
                "updated_at": timezone.now(),
            },
        )
        audit_record(actor=actor, action="safety.pin_set", target=actor)
    return row


def safety_pin_clear(*, actor: User) -> None:
    with transaction.atomic():
        SafetyPin.objects.filter(user=actor).delete()
        audit_record(actor=actor, action="safety.pin_cleared", target=actor)


def _is_duress(user: User, pin: str | None) -> bool:
    """True for the duress PIN, False for the all-clear PIN or no PIN where none is needed;
    WrongPinError otherwise. Both hashes are always checked, so the answer takes as long
    whichever PIN was given."""
    pins = SafetyPin.objects.filter(user=user).first()
    if pins is None:
        if pin:
            raise WrongPinError("Wrong PIN.", fields={"pin": ["Not your PIN."]})
        return False
    if not pin:
        if pins.all_clear_pin_hash:
            raise WrongPinError("Your PIN is required.", fields={"pin": ["Required."]})
        return False
    duress = check_password(pin, pins.duress_pin_hash)
    # An unusable hash compares as False but costs the same as a real one.
    all_clear = check_password(pin, pins.all_clear_pin_hash or make_password(None))
    if not duress and not all_clear:
        raise WrongPinError("Wrong PIN.", fields={"pin": ["Not your PIN."]})
    return duress


# --- Sessions -------------------------------------------------------------------------------


def field_session_start(*, actor: User, turf_id: int, expected_end_at: datetime) -> FieldSession:
    """Start a field session on a turf assigned to the actor now, with the team's interval."""
    now = timezone.now()
    problems: dict[str, list[str]] = {}
    if expected_end_at <= now:
        problems["expected_end_at"] = ["Must be in the future."]
    elif expected_end_at > now + timedelta(hours=MAX_SESSION_HOURS):
        problems["expected_end_at"] = [f"At most {MAX_SESSION_HOURS} hours from now."]
    if problems:
        raise ApplicationError("Invalid field session.", fields=problems)
    assigned = TurfAssignment.objects.filter(
        turf_id=turf_id, canvasser=actor, unassigned_at__isnull=True
    ).exists()
    turf = Turf.objects.filter(pk=turf_id).first() if assigned else None
    if turf is None:
        raise TurfNotAssignedError(
            "This turf is not assigned to you.", fields={"turf": ["Not assigned to you."]}
        )
    interval = team_checkin_interval(team_id=turf.team_id)
    session = FieldSession(
        canvasser=actor,
        turf=turf,
        started_at=now,
        expected_end_at=expected_end_at,
        checkin_interval_minutes=interval,
        last_checkin_at=now,
    )
    session.next_checkin_due_at = _next_deadline(session, now)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        raise SessionAlreadyOpenError(
            "You already have an open field session: end it first."
        ) from None
    return session


def _locked_own_session(*, actor: User, session_id: int) -> FieldSession:
    session = (
        FieldSession.objects.select_for_update(of=("self",))
        .select_related("turf", "canvasser")
        .filter(pk=session_id, canvasser=actor)
        .first()
    )
    if session is None:
        raise NotFoundError("No such field session.")
    if session.status != FieldSessionStatus.OPEN:
        raise SessionEndedError("This field session has ended.")
    return session


def _location(latitude: float | None, longitude: float | None) -> str:
    if latitude is None and longitude is None:
        return ""
    problems: dict[str, list[str]] = {}
    if latitude is None or not -90 <= latitude <= 90:
        problems["latitude"] = ["Between -90 and 90, given with longitude."]
    if longitude is None or not -180 <= longitude <= 180:
        problems["longitude"] = ["Between -180 and 180, given with latitude."]
    if problems:
        raise ApplicationError("Invalid location.", fields=problems)
    return f"{latitude:.5f},{longitude:.5f}"


def field_session_check_in(
    *,
    actor: User,
    session_id: int,
    latitude: float | None = None,
    longitude: float | None = None,
    pin: str | None = None,
) -> FieldSession:
    """Check in on one's own open session: the next deadline moves, open escalations are
    resolved (whoever was alerted hears the canvasser checked in). With the duress PIN the
    session changes exactly the same way, and the field leads and organizers are alerted."""
    location = _location(latitude, longitude)
    with transaction.atomic():
        session = _locked_own_session(actor=actor, session_id=session_id)
        duress = _is_duress(actor, pin)
        now = timezone.now()
        if location:
            session.last_location, session.last_location_at = location, now
        _settle(session, now=now, duress=duress, ending=False)
        session.last_checkin_at = now
        session.next_checkin_due_at = _next_deadline(session, now)
        session.save(
            update_fields=[
                "last_checkin_at",
                "next_checkin_due_at",
                "last_location",
                "last_location_at",
            ]
        )
    return session


def field_session_end(*, actor: User, session_id: int, pin: str | None = None) -> FieldSession:
    """End one's own session ("home safe"): escalations stop, the last location is erased and
    only "ended at T" is kept. With the duress PIN it ends the same way, after alerting the field
    leads and organizers with the last location."""
    with transaction.atomic():
        session = _locked_own_session(actor=actor, session_id=session_id)
        duress = _is_duress(actor, pin)
        now = timezone.now()
        _settle(session, now=now, duress=duress, ending=True)
        session.status, session.ended_at = FieldSessionStatus.ENDED, now
        session.last_location, session.last_location_at = "", None
        session.save(update_fields=["status", "ended_at", "last_location", "last_location_at"])
    return session


def _settle(session: FieldSession, *, now: datetime, duress: bool, ending: bool) -> None:
    """What a check-in or end does besides moving the clock: the duress alert, resolving the
    open steps and telling those alerted (not after a duress PIN: the alert stands)."""
    deadline = session.next_checkin_due_at
    # Read before the duress step is taken: that one stays open, for watchers to see.
    open_steps = list(session.escalations.filter(resolved_at__isnull=True))
    if duress:
        _take_step(
            session,
            # Keyed by the moment, not the deadline: two duress check-ins before the expected
            # end share a deadline, and each must alert.
            deadline=now,
            step=EscalationStep.DURESS,
            recipients=_unique(
                list(field_leads_of(session=session)) + list(organizers_of(session=session))
            ),
            now=now,
            kind=SmsKind.SAFETY_ALERT,
            body=lambda user: _detail(
                user.language,
                "duress",
                name=_name(session.canvasser),
                now=_clock(now),
                turf=session.turf.name,
                where=_where(session, user.language),
            ),
        )
    if not open_steps:
        return
    SafetyEscalation.objects.filter(pk__in=[step.pk for step in open_steps]).update(resolved_at=now)
    if duress:
        return
    alerted = _unique(
        [
            text.recipient
            for text in SafetyEscalationText.objects.filter(
                escalation__in=[
                    s
                    for s in open_steps
                    if s.step in (EscalationStep.FIELD_LEAD, EscalationStep.ORGANIZER)
                ]
            ).select_related("recipient")
            if text.recipient is not None
        ]
    )
    if not alerted:
        return
    key = "resolved_end" if ending else "resolved"
    _take_step(
        session,
        deadline=deadline,
        step=EscalationStep.RESOLVED,
        recipients=alerted,
        now=now,
        kind=SmsKind.SAFETY_ALERT,
        body=lambda user: _detail(
            user.language,
            key,
            name=_name(session.canvasser),
            now=_clock(now),
            turf=session.turf.name,
        ),
        resolved=True,
    )


def _unique(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _take_step(
    session: FieldSession,
    *,
    deadline: datetime,
    step: str,
    recipients: list[User],
    now: datetime,
    kind: str,
    body: Callable[[User], str],
    resolved: bool = False,
) -> SafetyEscalation | None:
    """Claim (session, deadline, step), then queue one safety text per recipient and record
    each; None when the step was already taken (nothing is queued)."""
    try:
        with transaction.atomic():
            escalation = SafetyEscalation.objects.create(
                session=session,
                deadline=deadline,
                step=step,
                created_at=now,
                resolved_at=now if resolved else None,
            )
    except IntegrityError:
        return None
    texts = []
    for user in recipients:
        message = sms_safety_enqueue(
            kind=kind, user=user, body=render_safety(kind, user.language, detail=body(user))
        )
        texts.append(
            SafetyEscalationText(
                escalation=escalation,
                recipient=user,
                outbox_message_id=message.pk,
                created_at=now,
            )
        )
    SafetyEscalationText.objects.bulk_create(texts)
    return escalation


# --- Escalation (the periodic task) ---------------------------------------------------------


@dataclass
class EscalationReport:
    sessions: int = 0
    steps: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {"sessions": self.sessions, "steps": dict(self.steps)}


def _steps_due(deadline: datetime, now: datetime) -> list[str]:
    lead_at = deadline + timedelta(minutes=settings.SAFETY_FIELD_LEAD_GRACE_MINUTES)
    organizer_at = lead_at + timedelta(minutes=settings.SAFETY_ORGANIZER_GRACE_MINUTES)
    due = [EscalationStep.CANVASSER] if deadline <= now else []
    if lead_at <= now:
        due.append(EscalationStep.FIELD_LEAD)
    if organizer_at <= now:
        due.append(EscalationStep.ORGANIZER)
    return [str(step) for step in due]


def safety_escalations_run(
    *, now: datetime | None = None, batch_size: int = 200
) -> EscalationReport:
    """Take every escalation step that is due. Safe to run from several workers at once: each
    session is claimed with SKIP LOCKED (a session another worker holds, or one being checked in
    right now, waits for the next run), and each step's unique row is the final word."""
    now = now or timezone.now()
    report = EscalationReport()
    fully_escalated = SafetyEscalation.objects.filter(
        session=OuterRef("pk"),
        deadline=OuterRef("next_checkin_due_at"),
        step=EscalationStep.ORGANIZER,
    )
    with transaction.atomic():
        sessions = list(
            FieldSession.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("turf", "canvasser")
            .filter(status=FieldSessionStatus.OPEN, next_checkin_due_at__lte=now)
            .exclude(Exists(fully_escalated))
            .order_by("next_checkin_due_at", "id")[:batch_size]
        )
        for session in sessions:
            report.sessions += 1
            deadline = session.next_checkin_due_at
            taken = set(
                SafetyEscalation.objects.filter(session=session, deadline=deadline).values_list(
                    "step", flat=True
                )
            )
            for step in _steps_due(deadline, now):
                if step in taken:
                    continue
                if _escalate(session, step=step, deadline=deadline, now=now) is not None:
                    report.steps[step] += 1
    return report


def _escalate(
    session: FieldSession, *, step: str, deadline: datetime, now: datetime
) -> SafetyEscalation | None:
    canvasser = session.canvasser
    if step == EscalationStep.CANVASSER:
        return _take_step(
            session,
            deadline=deadline,
            step=step,
            recipients=[canvasser],
            now=now,
            kind=SmsKind.CHECKIN_DUE,
            body=lambda user: _detail(user.language, "due", due=_clock(deadline)),
        )
    recipients = list(
        field_leads_of(session=session)
        if step == EscalationStep.FIELD_LEAD
        else organizers_of(session=session)
    )
    return _take_step(
        session,
        deadline=deadline,
        step=step,
        recipients=recipients,
        now=now,
        kind=SmsKind.SAFETY_ALERT,
        body=lambda user: _detail(
            user.language,
            "missed",
            name=_name(canvasser),
            due=_clock(deadline),
            turf=session.turf.name,
            last=_clock(session.last_checkin_at),
            where=_where(session, user.language),
        ),
    )


# --- Check-ins by text ----------------------------------------------------------------------


def safety_inbound_handle(context: InboundContext) -> Outcome | None:
    """A text from a staff member's own number with an open field session: "OK"/"BIEN"/"SAFE"
    checks in, "HOME"/"HOME SAFE"/"CASA" ends it, each optionally followed by the PIN. Anything
    else (and any text from a number without an open session) is left to the other handlers.
    Opt-out words never reach here: the inbound service handles them first."""
    match = TEXT_PATTERN.match(context.keyword)
    if match is None:
        return None
    user = User.objects.filter(phone_hash=context.phone_hash, is_active=True).first()
    if user is None:
        return None
    session = FieldSession.objects.filter(canvasser=user, status=FieldSessionStatus.OPEN).first()
    if session is None:
        return None
    word, pin = match.group("word"), match.group("pin")
    if pin:
        # The PIN never stays in the stored text, not even encrypted.
        context.inbound.body = word
        type(context.inbound).objects.filter(pk=context.inbound.pk).update(body=word)
    language = user.language
    try:
        if word in END_WORDS:
            ended = field_session_end(actor=user, session_id=session.pk, pin=pin)
            reply = _detail(language, "reply_end", now=_clock(ended.ended_at))
        else:
            checked = field_session_check_in(actor=user, session_id=session.pk, pin=pin)
            reply = _detail(
                language,
                "reply_check_in",
                now=_clock(checked.last_checkin_at),
                due=_clock(checked.next_checkin_due_at),
            )
    except WrongPinError:
        return Outcome(
            InboundAction.STORED,
            render_safety(
                SmsKind.CHECKIN_DUE, language, detail=_detail(language, "reply_wrong_pin")
            ),
            language=language,
        )
    except SessionEndedError:
        return None
    return Outcome(
        InboundAction.CHECKED_IN,
        render_safety(SmsKind.CHECKIN_DUE, language, detail=reply),
        language=language,
    )
