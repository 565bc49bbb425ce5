"""The SMS outbox: one row per outgoing text, written in the transaction of the change that
causes it and sent later by the dispatcher. The number is stored encrypted with a keyed hash
beside it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.crypto import EncryptedTextField
from messaging.models.consent import Channel


class SmsKind(models.TextChoices):
    CONFIRMATION = "confirmation", "Signup confirmation"
    WAITLISTED = "waitlisted", "Waitlist notice"
    PROMOTED = "promoted", "Promoted from the waitlist"
    REMINDER = "reminder", "Reminder before the shift"
    EVENT_CHANGED = "event_changed", "Event time or place changed"
    EVENT_CANCELLED = "event_cancelled", "Event or shift cancelled"
    REPLY = "reply", "Reply to an inbound message"
    VERIFICATION = "verification", "One-time code to prove a phone number"
    MANAGE_LINK = "manage_link", "Manage link, texted on request"
    OPT_OUT_CONFIRMATION = "opt_out_confirmation", "Confirms an opt-out in the person's words"
    CHECKIN_DUE = "checkin_due", "Safety: a field check-in is due"
    SAFETY_ALERT = "safety_alert", "Safety: an alert to a field lead or organizer"
    INCIDENT = "incident", "Safety: an incident in the person's turf"
    INCIDENT_LIFTED = "incident_lifted", "Safety: an incident was lifted"
    ENDORSEMENT_CONFIRMATION = "endorsement_confirm", "Asks an endorser to confirm (YES / link)"
    SHIFT_INVITATION = "shift_invitation", "Invites a consenting endorser to an event's shifts"
    ADDRESS_RELEASE = "address_release", "A sensitive event's address, before the shift"


# Texts an event sends to many people at once (a bulk send): the send forecast predicts them
# and the dispatcher splits them at quiet hours (messaging/services/forecast.py).
BULK_KINDS = (
    SmsKind.REMINDER,
    SmsKind.EVENT_CHANGED,
    SmsKind.EVENT_CANCELLED,
    SmsKind.SHIFT_INVITATION,
    SmsKind.ADDRESS_RELEASE,
)


# Texts that answer something just asked for (a reply, a one-time code): sent at once, outside
# the consent ledger and quiet hours, but never to an opted-out number.
ON_REQUEST_KINDS = (
    SmsKind.REPLY,
    SmsKind.VERIFICATION,
    SmsKind.MANAGE_LINK,
    SmsKind.OPT_OUT_CONFIRMATION,
)


# Safety texts to staff (canvassers, field leads, organizers; `SmsMessage.user`): under the
# person's own consent to safety texts, never held by quiet hours or the daily caps (a missed
# check-in at 6:30 or an enforcement alert cannot wait for morning), never to an opted-out number.
SAFETY_KINDS = (
    SmsKind.CHECKIN_DUE,
    SmsKind.SAFETY_ALERT,
    SmsKind.INCIDENT,
    SmsKind.INCIDENT_LIFTED,
)
# Texts to an endorser (canvass endorsements), not to a volunteer: each needs the endorser's
# consent for its own scope (sendability), never a volunteer's consent.
ENDORSEMENT_KINDS = (SmsKind.ENDORSEMENT_CONFIRMATION, SmsKind.SHIFT_INVITATION)


# Kinds tied to one signup, at most one row per (signup, kind, offset): the database constraint.
SIGNUP_UNIQUE_KINDS = (
    SmsKind.CONFIRMATION,
    SmsKind.WAITLISTED,
    SmsKind.PROMOTED,
    SmsKind.REMINDER,
    SmsKind.EVENT_CANCELLED,
    SmsKind.ADDRESS_RELEASE,
)


class SmsStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent (accepted by the provider)"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Undelivered"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    UNKNOWN = "unknown", "Unknown (awaiting the provider's callback)"


FINAL_STATUSES = (SmsStatus.DELIVERED, SmsStatus.UNDELIVERED, SmsStatus.FAILED, SmsStatus.SKIPPED)


class SmsMessage(models.Model):
    """One outgoing text: written in the transaction of the change that causes it, then claimed
    and sent by the dispatcher."""

    volunteer = models.ForeignKey(
        "events.Volunteer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The staff member a safety text goes to (SAFETY_KINDS); None for volunteers' texts.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = EncryptedTextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    body = models.TextField()
    # SMS segments the final body is billed as (messaging.templates.segments); set on save.
    segments = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=SmsKind.choices)
    # "voice": the dispatcher places a call whose TwiML speaks the body (docs/voice.md).
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.SMS)
    # The key pressed on a reminder call ("1" confirm, "2" cancel, "9" stop calls) and when.
    voice_answer = models.CharField(max_length=1, blank=True)
    voice_answered_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=2, default="en")
    signup = models.ForeignKey(
        "events.Signup", null=True, blank=True, on_delete=models.SET_NULL, related_name="sms"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="sms"
    )
    endorsement = models.ForeignKey(
        "canvass.Endorsement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    in_reply_to = models.OneToOneField(
        "messaging.InboundSms",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reply",
    )
    # Minutes before the shift for reminders (0 for other kinds): part of the uniqueness.
    offset_minutes = models.PositiveIntegerField(default=0)
    send_after = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    skip_reason = models.CharField(max_length=40, blank=True)
    provider_sid = models.CharField(max_length=64, blank=True, db_index=True)
    # The provider's status word exactly as the last callback sent it (also one we do not know).
    provider_status = models.CharField(max_length=32, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Claiming: a worker owns a row until claimed_until; "sending" marks that a request may
    # have left (from then on the row is never sent again without the provider's word).
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "events_smsmessage"  # created by the events app; kept
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["signup", "kind", "offset_minutes"],
                condition=Q(signup__isnull=False, kind__in=SIGNUP_UNIQUE_KINDS),
                name="sms_one_per_signup_kind",
            ),
            models.UniqueConstraint(
                fields=["endorsement", "event", "kind"],
                condition=Q(endorsement__isnull=False, kind="shift_invitation"),
                name="sms_one_invitation_per_endorser_event",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_due"),
            # The daily caps count recent sends per number and in all.
            models.Index(fields=["phone_hash", "sending_started_at"], name="sms_phone_recent"),
            models.Index(fields=["sending_started_at"], name="sms_recent"),
        ]

    def __str__(self) -> str:
        return f"sms {self.pk} {self.kind}: {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from messaging.templates import segments

        self.segments = segments(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "segments"}
        super().save(*args, **kwargs)
