"""The errors canvass services raise where a code is specific, each with its HTTP status.

Generic failures use `backend.errors` directly (`ApplicationError` for a bad input naming its
field, `NotFoundError`, ...). Plain Python: no DRF, no HTTP layer.
"""

from __future__ import annotations

from backend.errors import (
    ApplicationError,
    ConflictError,
    ErrorCode,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
)

# --- Turf -----------------------------------------------------------------------------------


class TeamNotAllowedError(PermissionDeniedError):
    """403: the team is not one the actor manages turf for."""


class InvalidGeometryError(ApplicationError):
    """400: a turf boundary that is not a usable polygon."""

    code = ErrorCode.INVALID_GEOMETRY


class NoHouseholdsError(ApplicationError):
    """400: nothing to cut, no unassigned household with coordinates in the area."""

    code = ErrorCode.NO_HOUSEHOLDS


class HouseholdInActiveTurfError(ConflictError):
    """409: a household was just put in another active turf."""

    code = ErrorCode.HOUSEHOLD_IN_ACTIVE_TURF


class InvalidStatusChangeError(ConflictError):
    """409: the turf cannot move to that status from its current one."""

    code = ErrorCode.INVALID_STATUS_CHANGE


class TurfCompletedError(ConflictError):
    """409: the turf is completed."""

    code = ErrorCode.TURF_COMPLETED


class AlreadyAssignedError(ConflictError):
    """409: the canvasser is already assigned to the turf."""

    code = ErrorCode.ALREADY_ASSIGNED


# --- Imports --------------------------------------------------------------------------------


class ImportFileError(ApplicationError):
    """400: the file as a whole cannot be imported (encoding, empty, not a CSV, missing
    columns); `code` says which, and `fields` names the `file`."""

    code = ErrorCode.INVALID_FILE

    def __init__(self, message: str, *, code: ErrorCode = ErrorCode.INVALID_FILE) -> None:
        super().__init__(message, code=code, fields={"file": [message]})


# --- Sync and logs --------------------------------------------------------------------------


class UploadIncompleteError(ApplicationError):
    """400: the phone dropped the connection before the end of the body (send it again)."""

    code = ErrorCode.UPLOAD_INCOMPLETE


class InvalidCursorError(ApplicationError):
    """400: the sync cursor is not one this server issued for this canvasser."""

    code = ErrorCode.INVALID_CURSOR


class BatchTooLargeError(PayloadTooLargeError):
    """413: a pushed batch holds more than SYNC_MAX_BATCH logs."""

    code = ErrorCode.BATCH_TOO_LARGE


class LogDeletedError(ConflictError):
    """409: the log was deleted; it can no longer be corrected."""

    code = ErrorCode.LOG_DELETED


class EditWindowClosedError(ConflictError):
    """409: the log was received more than CANVASS_EDIT_WINDOW_HOURS ago."""

    code = ErrorCode.EDIT_WINDOW_CLOSED


# --- Endorsements ---------------------------------------------------------------------------


class AlreadyEndorsedError(ConflictError):
    """409: this phone number, email or organization already has an endorsement; `fields` names
    which, and nothing else is said about it."""

    code = ErrorCode.ALREADY_ENDORSED


class InvalidEndorsementLinkError(NotFoundError):
    """404: a confirmation link that was tampered with, has expired or whose endorsement is
    gone."""

    code = ErrorCode.INVALID_LINK


# --- Field safety check-ins ---------------------------------------------------------------


class TurfNotAssignedError(ApplicationError):
    """400: a field session needs a turf assigned to the canvasser now."""

    code = ErrorCode.TURF_NOT_ASSIGNED


class SessionAlreadyOpenError(ConflictError):
    """409: one open field session per canvasser."""

    code = ErrorCode.SESSION_ALREADY_OPEN


class SessionEndedError(ConflictError):
    """409: the field session has ended; start a new one."""

    code = ErrorCode.SESSION_ENDED


class WrongPinError(ApplicationError):
    """400: the PIN given is neither of the canvasser's (nothing is recorded)."""

    code = ErrorCode.WRONG_PIN


# --- Incidents ------------------------------------------------------------------------------


class EmptyAreaError(ApplicationError):
    """400: an incident's area holds no turf of the actor's teams (empty, or another team's)."""

    code = ErrorCode.EMPTY_AREA


class IncidentLiftedError(ConflictError):
    """409: the incident was already lifted (by someone else, or a moment ago)."""

    code = ErrorCode.INCIDENT_LIFTED
