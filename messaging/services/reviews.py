"""Replies that might mean "stop": an organizer's reading settles them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.errors import ConflictError, ErrorCode
from messaging.models import OptOutReason, ReviewStatus, SmsReview
from messaging.services.optouts import sms_opt_out_record
from messaging.services.outbox import sms_opt_out_confirmation_enqueue


def sms_review_resolve(*, review: SmsReview, actor: User, opt_out: bool) -> SmsReview:
    """An organizer's reading of a held reply. `opt_out`: the number is opted out (with the one
    confirmation text); otherwise the hold is released and queued texts go out again. Every
    pending review of that number is settled by the same answer. 409 when already resolved."""
    with transaction.atomic():
        review = SmsReview.objects.select_for_update().select_related("inbound").get(pk=review.pk)
        if review.status != ReviewStatus.PENDING:
            raise ConflictError("This reply was already reviewed.", code=ErrorCode.ALREADY_RESOLVED)
        inbound = review.inbound
        volunteer = inbound.volunteer
        now = timezone.now()
        if opt_out:
            created = sms_opt_out_record(
                phone_hash=review.phone_hash,
                volunteer=volunteer,
                reason=OptOutReason.REVIEWED,
                keyword="",
                wording="Reply read as a request to stop by an organizer",
                actor=actor,
            )
            if created and inbound.phone:
                sms_opt_out_confirmation_enqueue(
                    inbound=inbound,
                    volunteer=volunteer,
                    phone=inbound.phone,
                    phone_hash=review.phone_hash,
                    language=review.language,
                )
            review.refresh_from_db()
        else:
            SmsReview.objects.filter(
                phone_hash=review.phone_hash, status=ReviewStatus.PENDING
            ).update(status=ReviewStatus.RELEASED, resolved_at=now, resolved_by=actor)
            # Texts held meanwhile go out at the dispatcher's next look (within
            # REVIEW_HOLD_RECHECK_SECONDS in
            # messaging.services.sendability); those not yet due keep their time.
            review.refresh_from_db()
        audit_record(
            actor=actor,
            action="sms.review_resolved",
            target=review,
            details={"inbound_id": inbound.pk, "opted_out": opt_out},
        )
        return review
