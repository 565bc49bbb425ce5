"""The errors the events services raise, each with its stable code and HTTP status.

Services raise these (never DRF exceptions); `backend.api.errors` renders them in the one
error shape. The message is given at the raise site, so it can name what was refused.
"""

from __future__ import annotations

from backend.errors import (
    ApplicationError,
    ConflictError,
    ErrorCode,
    NotFoundError,
    RateLimitedError,
)

# --- Schedule -------------------------------------------------------------------------------


class EventCancelledError(ConflictError):
    """409: a cancelled event cannot be edited or get new shifts."""

    code = ErrorCode.EVENT_CANCELLED


class EventNotScheduledError(ConflictError):
    """409: only a scheduled event can be completed."""

    code = ErrorCode.EVENT_NOT_SCHEDULED


class ShiftCancelledError(ConflictError):
    """409: the shift (or its event) was cancelled."""

    code = ErrorCode.SHIFT_CANCELLED


class ShiftOutsideEventError(ApplicationError):
    """400: a shift would not lie inside its event (`shift_ids` names them)."""

    code = ErrorCode.SHIFT_OUTSIDE_EVENT


class CapacityBelowConfirmedError(ConflictError):
    """409: a shift's capacity cannot go below the people already confirmed (`confirmed`)."""

    code = ErrorCode.CAPACITY_BELOW_CONFIRMED


class UnknownZipError(ApplicationError):
    """400: no placed site is known in that ZIP code, so there is nowhere to search around."""

    code = ErrorCode.UNKNOWN_ZIP


# --- Signups --------------------------------------------------------------------------------


class EventClosedError(ConflictError):
    """409: the event is over (completed), so its shifts take no signups."""

    code = ErrorCode.EVENT_CLOSED


class ShiftPastError(ConflictError):
    """409: the shift has already started."""

    code = ErrorCode.SHIFT_PAST


class AlreadySignedUpError(ConflictError):
    """409: this volunteer already holds an active signup for the shift (`signup`)."""

    code = ErrorCode.ALREADY_SIGNED_UP


class ShiftOverlapError(ConflictError):
    """409: the shift overlaps another active signup of the same volunteer."""

    code = ErrorCode.SHIFT_OVERLAP


class ShiftFullError(ConflictError):
    """409: the shift and its waitlist are full (`shift`)."""

    code = ErrorCode.SHIFT_FULL


class NotCancellableError(ConflictError):
    """409: only a confirmed or waitlisted signup can be cancelled."""

    code = ErrorCode.NOT_CANCELLABLE


class NotMarkableError(ConflictError):
    """409: attendance is marked only on confirmed signups (`signup_ids` names the others)."""

    code = ErrorCode.NOT_MARKABLE


# --- Volunteers and their links -------------------------------------------------------------


class InvalidLinkError(NotFoundError):
    """404: a manage link that is tampered with, expired or stale (the same answer for each)."""

    code = ErrorCode.INVALID_LINK


class AlreadyLinkedError(ConflictError):
    """409: the account, or the volunteer record, is already linked."""

    code = ErrorCode.ALREADY_LINKED


class LinkThrottledError(RateLimitedError):
    """429: too many link codes, confirmations or link requests in the window."""


# --- Caucuses -------------------------------------------------------------------------------


class PrecinctAlreadyLinkedError(ConflictError):
    """409: the precinct already caucuses at another site of this caucus (`site`)."""

    code = ErrorCode.PRECINCT_ALREADY_LINKED


class SatelliteHasNoPrecinctError(ApplicationError):
    """400: a satellite caucus site serves no precinct."""

    code = ErrorCode.SATELLITE_HAS_NO_PRECINCT


class GeocoderUnavailableError(ApplicationError):
    """503: the geocoder is down (or paused by its breaker), so an address cannot be placed."""

    status_code = 503
    code = ErrorCode.GEOCODER_UNAVAILABLE


# --- Sensitive events -----------------------------------------------------------------------


class SignupNotPendingError(ConflictError):
    """409: only a signup held for approval can be approved or declined."""

    code = ErrorCode.SIGNUP_NOT_PENDING


class AddressNotReleasableError(ConflictError):
    """409: a sensitive address goes only to a confirmed signup of a vetted volunteer."""

    code = ErrorCode.ADDRESS_NOT_RELEASABLE
