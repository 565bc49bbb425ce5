"""Access table for the SMS routes: organizer views and the Twilio webhooks.

The webhooks take no login: the X-Twilio-Signature header is their authentication, so every
caller without a valid signature (every role here) gets 403.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.access.framework import ORGANIZER_ONLY, PUBLIC, STAFF_ONLY, Route, expect


def _event(team: Any) -> int:
    from events.models import Event, EventKind

    starts = timezone.now() + timedelta(days=3)
    return Event.objects.create(
        title="Access check",
        kind=EventKind.TRAINING,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        team=team,
    ).pk


def _review() -> int:
    """A held reply ("ya no") waiting for an organizer, made through the real inbound service."""
    from messaging.models import SmsReview
    from messaging.services.inbound import sms_inbound_receive

    inbound = sms_inbound_receive(
        message_sid=f"SMaccess{SmsReview.objects.count()}", from_number="+15155550177", body="ya no"
    )
    assert inbound is not None
    return inbound.review.pk


UNSIGNED = expect(PUBLIC, anonymous=403, organizer=403, field_lead=403, canvasser=403)

ROUTES = [
    Route("api/sms/messages", {"GET": STAFF_ONLY}),
    Route("api/sms/inbound-messages", {"GET": ORGANIZER_ONLY}),
    Route("api/sms/opt-outs", {"GET": ORGANIZER_ONLY}),
    # The review queue of replies that might mean "stop" (organizers hold the decision).
    Route("api/sms/reviews", {"GET": ORGANIZER_ONLY}),
    Route(
        "api/sms/reviews/<int:pk>/resolve",
        {"POST": expect(ORGANIZER_ONLY, organizer=400)},
        kwargs=lambda c: {"pk": _review()},
        missing_kwargs={"pk": 999999},
        body=lambda c: {},
    ),
    Route(
        "api/events/<int:pk>/sms-stats",
        {"GET": STAFF_ONLY},
        kwargs=lambda c: {"pk": _event(c.team_a)},
        other_kwargs=lambda c: {"pk": _event(c.team_b)},
        missing_kwargs={"pk": 999999},
    ),
    Route(
        "api/sms/inbound",
        {"POST": UNSIGNED},
        body=lambda c: {"MessageSid": "SM1", "From": "+15155550101", "Body": "STOP"},
    ),
    Route(
        "api/sms/status",
        {"POST": UNSIGNED},
        body=lambda c: {"MessageSid": "SM1", "MessageStatus": "delivered"},
    ),
]
