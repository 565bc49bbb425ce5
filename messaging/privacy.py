"""Where the messaging app keeps personal data, how a volunteer's SMS trail is erased and how
free-text replies are purged after retention (autodiscovered by backend.privacy).

This app is installed before events, so its eraser runs first: it finds the texts by the
volunteer's number, which events' eraser then removes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from backend.db import partitions
from backend.privacy.registry import register_eraser, register_personal_fields, register_purger
from events.models import Volunteer
from messaging.models import InboundSms, SmsConsent, SmsConversation, SmsMessage

register_personal_fields("messaging.smsmessage", "phone")
register_personal_fields("messaging.inboundsms", "phone", "body")


@register_eraser("volunteer")
def erase_volunteer_sms(subject_id: int, *, actor: Any = None) -> dict[str, int]:
    """Strip the volunteer's number and texts from the outbox and inbound messages, keeping the
    rows' kind/status/event (anonymous delivery counts), and delete their consent ledger. The
    opt-out list is left as it is: it holds only the keyed hash, which is what keeps an erased
    person from being texted."""
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
    consents, _ = SmsConsent.objects.filter(volunteer_id=subject_id).delete()
    SmsConversation.objects.filter(phone_hash=volunteer.phone_hash).delete()
    return {"sms_messages": outbound, "sms_inbound": inbound, "sms_consents": consents}


@register_purger("sms_inbound_replies")
def purge_inbound_replies(cutoff: datetime) -> dict[str, int]:
    """Clear the free text of inbound texts received before `cutoff` (rows stay for counts)."""
    purged = InboundSms.objects.filter(received_at__lt=cutoff, body_purged=False).update(
        body="", body_purged=True
    )
    return {"inbound_bodies_purged": purged}


@register_purger("sms_conversations")
def purge_conversations(cutoff: datetime) -> dict[str, int]:
    """Delete the keyword conversations (the last list texted to a number) that expired: after
    SMS_CONVERSATION_MINUTES a list means nothing, so none is kept until the retention `cutoff`."""
    expired = timezone.now() - timedelta(minutes=settings.SMS_CONVERSATION_MINUTES)
    deleted, _ = SmsConversation.objects.filter(updated_at__lt=expired).delete()
    return {"sms_conversations_deleted": deleted}


@register_purger("sms_outbox")
def purge_outbox(cutoff: datetime) -> dict[str, int]:
    """Remove outgoing texts created before `cutoff` (number, body and delivery record): the
    outbox is partitioned by month (backend.db.partitions), so whole months past retention are
    dropped, never rewritten; a text is only ever looked at again within days (daily caps,
    delivery callbacks), and the one-per-signup keys of such old shifts are long spent."""
    return {
        f"sms_messages_{name}": count
        for name, count in partitions.rows_purge(
            SmsMessage._meta.db_table, key="created_at", cutoff=cutoff
        ).items()
    }
