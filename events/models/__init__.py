"""Events data, one module per feature; every model is importable from here."""

from events.models.caucuses import Caucus, CaucusKind, CaucusPrecinct, CaucusSite, SatelliteKind
from events.models.locations import Location, default_time_zone
from events.models.schedule import Event, EventKind, EventStatus, Shift, ShiftRole, ShiftStatus
from events.models.signups import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    SPOT_HOLDING_STATUSES,
    Signup,
    SignupSource,
    SignupStatus,
)
from events.models.volunteers import Language, SecurityCounter, Volunteer, VolunteerLinkCode

__all__ = [
    "ACTIVE_STATUSES",
    "CLOSED_STATUSES",
    "SPOT_HOLDING_STATUSES",
    "Caucus",
    "CaucusKind",
    "CaucusPrecinct",
    "CaucusSite",
    "Event",
    "EventKind",
    "EventStatus",
    "Language",
    "Location",
    "SatelliteKind",
    "SecurityCounter",
    "Shift",
    "ShiftRole",
    "ShiftStatus",
    "Signup",
    "SignupSource",
    "SignupStatus",
    "Volunteer",
    "VolunteerLinkCode",
    "default_time_zone",
]
