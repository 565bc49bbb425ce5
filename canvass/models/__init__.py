"""Canvass data, one module per feature; every model is importable from here."""

from canvass.models.households import GeocodeStatus, Household, Voter, age_band
from canvass.models.imports import (
    ImportJob,
    ImportJobProblem,
    ImportKind,
    ImportSeenVoter,
    ImportState,
    VoterImport,
)
from canvass.models.leaders import (
    Jurisdiction,
    Leader,
    LeaderPosition,
    LeaderPositionChange,
    Stance,
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
from canvass.models.scripts import PLANK_CHOICES, PlankStance, Question, QuestionKind, Script
from canvass.models.sync import DeviceSync, SyncRemoval, SyncSequence
from canvass.models.turf import Turf, TurfAssignment, TurfHousehold, TurfStatus

__all__ = [
    "PLANK_CHOICES",
    "ConversationLog",
    "DeviceSync",
    "GeocodeStatus",
    "Household",
    "ImportJob",
    "ImportJobProblem",
    "ImportKind",
    "ImportSeenVoter",
    "ImportState",
    "Jurisdiction",
    "Leader",
    "LeaderPosition",
    "LeaderPositionChange",
    "LogReview",
    "LogRevision",
    "Plank",
    "PlankStance",
    "Pledge",
    "Precinct",
    "Question",
    "QuestionKind",
    "Result",
    "ReviewAction",
    "Script",
    "Stance",
    "SyncRemoval",
    "SyncSequence",
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
