"""Canvass data, one module per feature; every model is importable from here."""

from canvass.models.endorsements import (
    ConfirmationChannel,
    Endorsement,
    EndorsementConsent,
    EndorsementConsentScope,
    EndorsementStatus,
    EndorserKind,
    OrganizationKind,
)
from canvass.models.households import GeocodeStatus, Household, Voter, age_band
from canvass.models.imports import (
    ImportJob,
    ImportJobProblem,
    ImportKind,
    ImportSeenVoter,
    ImportState,
    VoterImport,
)
from canvass.models.incidents import (
    AreaKind,
    Incident,
    IncidentKind,
    IncidentNotice,
    IncidentTurf,
    NoticeKind,
)
from canvass.models.logs import (
    ConversationLog,
    LogReview,
    LogRevision,
    Pledge,
    Result,
    ReviewAction,
    WillCaucus,
    free_text_dump,
    free_text_load,
)
from canvass.models.platform import Plank
from canvass.models.precincts import Precinct
from canvass.models.safety import (
    EscalationStep,
    FieldSession,
    FieldSessionStatus,
    SafetyEscalation,
    SafetyEscalationText,
    SafetyPin,
    TeamSafetySettings,
)
from canvass.models.scripts import Question, QuestionKind, Script
from canvass.models.sync import DeviceSync, SyncRemoval, SyncSequence
from canvass.models.turf import Turf, TurfAssignment, TurfHousehold, TurfStatus

__all__ = [
    "AreaKind",
    "ConfirmationChannel",
    "ConversationLog",
    "DeviceSync",
    "Endorsement",
    "EndorsementConsent",
    "EndorsementConsentScope",
    "EndorsementStatus",
    "EndorserKind",
    "EscalationStep",
    "FieldSession",
    "FieldSessionStatus",
    "GeocodeStatus",
    "Household",
    "ImportJob",
    "ImportJobProblem",
    "ImportKind",
    "ImportSeenVoter",
    "ImportState",
    "Incident",
    "IncidentKind",
    "IncidentNotice",
    "IncidentTurf",
    "LogReview",
    "LogRevision",
    "NoticeKind",
    "OrganizationKind",
    "Plank",
    "Pledge",
    "Precinct",
    "Question",
    "QuestionKind",
    "Result",
    "ReviewAction",
    "SafetyEscalation",
    "SafetyEscalationText",
    "SafetyPin",
    "Script",
    "SyncRemoval",
    "SyncSequence",
    "TeamSafetySettings",
    "Turf",
    "TurfAssignment",
    "TurfHousehold",
    "TurfStatus",
    "Voter",
    "VoterImport",
    "WillCaucus",
    "age_band",
    "free_text_dump",
    "free_text_load",
]
