"""Messaging data, one module per feature; every model is importable from here.

The tables were created by the events app and keep their names (`events_smsmessage`, ...).
"""

from messaging.models.consent import Channel, ConsentMethod, SmsConsent
from messaging.models.conversations import ListKind, SmsConversation
from messaging.models.inbound import InboundAction, InboundSms
from messaging.models.kyr import KnowYourRightsSendCount, KnowYourRightsText
from messaging.models.optouts import OptOutReason, SmsOptOut
from messaging.models.outbox import (
    BULK_KINDS,
    ENDORSEMENT_KINDS,
    FINAL_STATUSES,
    ON_REQUEST_KINDS,
    SAFETY_KINDS,
    SIGNUP_UNIQUE_KINDS,
    SmsKind,
    SmsMessage,
    SmsStatus,
)
from messaging.models.rates import SmsRateBucket
from messaging.models.reviews import ReviewStatus, SmsReview

__all__ = [
    "BULK_KINDS",
    "ENDORSEMENT_KINDS",
    "FINAL_STATUSES",
    "ON_REQUEST_KINDS",
    "SAFETY_KINDS",
    "SIGNUP_UNIQUE_KINDS",
    "Channel",
    "ConsentMethod",
    "InboundAction",
    "InboundSms",
    "KnowYourRightsSendCount",
    "KnowYourRightsText",
    "ListKind",
    "OptOutReason",
    "ReviewStatus",
    "SmsConsent",
    "SmsConversation",
    "SmsKind",
    "SmsMessage",
    "SmsOptOut",
    "SmsRateBucket",
    "SmsReview",
    "SmsStatus",
]
