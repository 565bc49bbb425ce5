"""The SMS models moved from events to messaging without touching data: a database migrated
before the move keeps its tables, rows and admin permissions after it; a fresh one has the same
tables under the same names."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# Unapplying events 0008 unapplies messaging too (its migrations depend on it).
BEFORE = [("events", "0007_volunteer_manage_link_generation")]
TABLES = {
    "events_smsmessage",
    "events_inboundsms",
    "events_smsoptout",
    "events_smsreview",
    "events_smsratebucket",
    "events_smsconsent",
}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db
def test_a_fresh_database_keeps_the_events_table_names():
    tables = set(connection.introspection.table_names())
    assert tables >= TABLES
    # No second copy under the app's default names (newer messaging models have their own).
    assert not tables & {"messaging_" + name.split("_", 1)[1] for name in TABLES}


@pytest.mark.django_db(transaction=True)
def test_rows_and_permissions_survive_the_move():
    apps = _migrate(BEFORE)
    try:
        Volunteer = apps.get_model("events", "Volunteer")
        SmsMessage = apps.get_model("events", "SmsMessage")
        InboundSms = apps.get_model("events", "InboundSms")
        SmsReview = apps.get_model("events", "SmsReview")
        SmsOptOut = apps.get_model("events", "SmsOptOut")
        SmsConsent = apps.get_model("events", "SmsConsent")
        SmsRateBucket = apps.get_model("events", "SmsRateBucket")
        ContentType = apps.get_model("contenttypes", "ContentType")
        Permission = apps.get_model("auth", "Permission")
        Group = apps.get_model("auth", "Group")
        now = timezone.now()
        volunteer = Volunteer.objects.create(name="Old", phone_hash="h1", phone_last4="0101")
        inbound = InboundSms.objects.create(
            message_sid="SMold",
            phone_hash="h1",
            volunteer=volunteer,
            action="review",
            received_at=now,
        )
        SmsMessage.objects.create(
            volunteer=volunteer,
            phone_hash="h1",
            body="Hello",
            kind="reply",
            in_reply_to=inbound,
            send_after=now,
            next_attempt_at=now,
            status="sent",
        )
        SmsReview.objects.create(inbound=inbound, phone_hash="h1", created_at=now)
        SmsOptOut.objects.create(phone_hash="h2", reason="keyword", opted_out_at=now)
        SmsConsent.objects.create(volunteer=volunteer, granted=True, method="web", recorded_at=now)
        SmsRateBucket.objects.create(sender="+15155550100", tokens=1, refilled_at=now)
        message_type, _ = ContentType.objects.get_or_create(app_label="events", model="smsmessage")
        permission, _ = Permission.objects.get_or_create(
            content_type=message_type,
            codename="view_smsmessage",
            defaults={"name": "Can view sms message"},
        )
        readers = Group.objects.create(name="SMS readers")
        readers.permissions.add(permission)

        _migrate(_latest())

        from django.contrib.auth.models import Group as CurrentGroup
        from django.contrib.contenttypes.models import ContentType as CurrentContentType

        from messaging.models import (
            InboundSms as MovedInbound,
        )
        from messaging.models import (
            SmsConsent as MovedConsent,
        )
        from messaging.models import (
            SmsMessage as MovedMessage,
        )
        from messaging.models import (
            SmsOptOut as MovedOptOut,
        )
        from messaging.models import (
            SmsRateBucket as MovedBucket,
        )
        from messaging.models import (
            SmsReview as MovedReview,
        )

        message = MovedMessage.objects.select_related("in_reply_to").get()
        assert (message.body, message.status, message.in_reply_to.message_sid) == (
            "Hello",
            "sent",
            "SMold",
        )
        assert MovedReview.objects.get().inbound_id == MovedInbound.objects.get().pk
        assert MovedOptOut.objects.get().phone_hash == "h2"
        assert MovedConsent.objects.get().volunteer_id == volunteer.pk
        assert MovedBucket.objects.get().sender == "+15155550100"
        moved_type = CurrentContentType.objects.get(pk=message_type.pk)
        assert (moved_type.app_label, moved_type.model) == ("messaging", "smsmessage")
        assert list(
            CurrentGroup.objects.get(name="SMS readers").permissions.values_list(
                "content_type__app_label", "codename"
            )
        ) == [("messaging", "view_smsmessage")]
        assert set(connection.introspection.table_names()) >= TABLES
    finally:
        _migrate(_latest())
        from django.contrib.auth.models import Group as CurrentGroup

        CurrentGroup.objects.filter(name="SMS readers").delete()
