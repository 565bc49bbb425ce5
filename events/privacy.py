"""Where the events app keeps personal data, how to erase a volunteer's SMS trail and how
free-text replies are purged after retention (autodiscovered by backend.privacy)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q

from backend.privacy.registry import register_eraser, register_personal_fields, register_purger
from events.models import InboundSms, SmsConsent, SmsMessage, Volunteer

register_personal_fields("events.volunteer", "name", "phone", "email")
register_personal_fields("events.smsmessage", "phone")
register_personal_fields("events.inboundsms", "phone", "body")


@register_eraser("volunteer")
def erase_volunteer_sms(subject_id: int, *, actor: Any = None) -> dict[str, int]:
    """Strip the volunteer's number and texts from the outbox and inbound messages, keeping the
    rows' kind/status/event (anonymous delivery counts). The opt-out list is left as it is:
    it holds only the keyed hash, which is what keeps an erased person from being texted."""
    volunteer = Volunteer.objects.filter(pk=subject_id).only("phone_hash").first()
    if volunteer is None:
        return {"sms_messages": 0, "sms_inbound": 0}
    match = Q(volunteer_id=subject_id) | Q(phone_hash=volunteer.phone_hash)
    outbound = SmsMessage.objects.filter(match).update(
        volunteer=None, phone="", phone_hash="", body=""
    )
    inbound = InboundSms.objects.filter(match).update(
        volunteer=None, phone="", phone_hash="", body="", body_purged=True
    )
    return {"sms_messages": outbound, "sms_inbound": inbound}


# Registered after erase_volunteer_sms on purpose: that one finds the SMS trail by the phone hash,
# which this one removes.
@register_eraser("volunteer")
def erase_volunteer_record(subject_id: int, *, actor: Any = None) -> dict[str, int]:
    """Anonymize the volunteer in place: name, number, email, ZIP, account link and the consent
    ledger go; the row and its signups stay so attendance counts still add up."""
    volunteer = Volunteer.objects.filter(pk=subject_id).first()
    if volunteer is None:
        return {"volunteers": 0}
    consents, _ = SmsConsent.objects.filter(volunteer=volunteer).delete()
    Volunteer.objects.filter(pk=subject_id).update(
        name="(erased)",
        phone="",
        phone_hash=f"erased:{subject_id}",
        phone_last4="",
        email="",
        zip_code="",
        user=None,
    )
    return {"volunteers": 1, "sms_consents": consents}


@register_purger("sms_inbound_replies")
def purge_inbound_replies(cutoff: datetime) -> dict[str, int]:
    """Clear the free text of inbound texts received before `cutoff` (rows stay for counts)."""
    purged = InboundSms.objects.filter(received_at__lt=cutoff, body_purged=False).update(
        body="", body_purged=True
    )
    return {"inbound_bodies_purged": purged}
