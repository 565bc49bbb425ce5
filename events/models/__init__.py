"""Events data, one module per feature; every model is importable from here."""

from events.models.consent import ConsentMethod, SmsConsent
from events.models.locations import Location, default_time_zone
from events.models.schedule import Event, EventKind, EventStatus, Shift, ShiftRole, ShiftStatus
from events.models.signups import (
    ACTIVE_STATUSES,
    SPOT_HOLDING_STATUSES,
    Signup,
    SignupSource,
    SignupStatus,
)
from events.models.sms import (
    FINAL_STATUSES,
    ON_REQUEST_KINDS,
    SIGNUP_UNIQUE_KINDS,
    InboundAction,
    InboundSms,
    OptOutReason,
    ReviewStatus,
    SmsKind,
    SmsMessage,
    SmsOptOut,
    SmsRateBucket,
    SmsReview,
    SmsStatus,
)
from events.models.volunteers import Language, SecurityCounter, Volunteer, VolunteerLinkCode

__all__ = [
    "ACTIVE_STATUSES",
    "FINAL_STATUSES",
    "ON_REQUEST_KINDS",
    "SIGNUP_UNIQUE_KINDS",
    "SPOT_HOLDING_STATUSES",
    "ConsentMethod",
    "Event",
    "EventKind",
    "EventStatus",
    "InboundAction",
    "InboundSms",
    "Language",
    "Location",
    "OptOutReason",
    "ReviewStatus",
    "SecurityCounter",
    "Shift",
    "ShiftRole",
    "ShiftStatus",
    "Signup",
    "SignupSource",
    "SignupStatus",
    "SmsConsent",
    "SmsKind",
    "SmsMessage",
    "SmsOptOut",
    "SmsRateBucket",
    "SmsReview",
    "SmsStatus",
    "Volunteer",
    "VolunteerLinkCode",
    "default_time_zone",
]
