"""Conversation logs and SMS messages are partitioned by month on PostgreSQL: uniqueness still
holds through the key tables, the purge drops whole months, months are created ahead, and the
migrations keep every row both ways."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from backend.db import partitions
from backend.privacy.services import retention_purge
from canvass.models import ConversationLog
from messaging.models import InboundSms, SmsMessage
from tests.canvass.conftest import (  # noqa: F401 -- fixtures
    batch,
    doors,
    grid_households,
    log_item,
    turf_a,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
LOGS, SMS = "canvass_conversationlog", "events_smsmessage"


def _log(turf, canvasser, client_uuid=None, **extra):
    return ConversationLog.objects.create(
        client_uuid=client_uuid or uuid.uuid4(),
        canvasser=canvasser,
        household=doors(turf)[0],
        turf=turf,
        result="not_home",
        contacted_at=timezone.now(),
        received_at=extra.pop("received_at", timezone.now()),
        **extra,
    )


def _sms(**extra):
    now = timezone.now()
    return SmsMessage.objects.create(
        phone_hash="h1", body="Hi", kind="reply", send_after=now, next_attempt_at=now, **extra
    )


def _keys(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}_unique")
        return cursor.fetchone()[0]


def test_both_tables_are_partitioned_with_this_month_and_the_next_ones():
    this_month = partitions.month_start(timezone.now().astimezone(UTC).date())
    for table in (LOGS, SMS):
        assert partitions.is_partitioned(table)
        starts = {p.start for p in partitions.partitions_of(table)}
        assert {partitions.add_months(this_month, n) for n in range(4)} <= starts


def test_a_second_log_with_the_same_uuid_is_refused(turf_a, canvasser_a):  # noqa: F811
    first = _log(turf_a, canvasser_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        _log(turf_a, canvasser_a, client_uuid=first.client_uuid)

    assert ConversationLog.objects.count() == 1 and _keys(LOGS) == 1


def test_a_log_in_another_month_with_the_same_uuid_is_refused(turf_a, canvasser_a):  # noqa: F811
    first = _log(turf_a, canvasser_a, received_at=timezone.now() - timedelta(days=62))

    with pytest.raises(IntegrityError), transaction.atomic():
        _log(turf_a, canvasser_a, client_uuid=first.client_uuid)

    assert ConversationLog.objects.count() == 1


def test_a_pushed_batch_sent_again_is_counted_once(client_for, canvasser_a, turf_a):  # noqa: F811
    body = batch(*(log_item(door) for door in doors(turf_a)))
    client = client_for(canvasser_a)

    first = client.post("/api/sync/push", body, format="json").json()
    again = client.post("/api/sync/push", body, format="json").json()

    assert first["counts"]["created"] == len(body["logs"])
    assert again["counts"] == {"created": 0, "duplicate": len(body["logs"]), "rejected": 0}
    assert ConversationLog.objects.count() == _keys(LOGS) == len(body["logs"])


def test_a_review_still_points_at_its_log_and_goes_with_it(turf_a, canvasser_a, organizer):  # noqa: F811
    from canvass.models import LogReview

    log = _log(turf_a, canvasser_a)
    LogReview.objects.create(log=log, action="clear", actor=organizer, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        LogReview.objects.create(log_id=log.pk + 1000, action="clear", created_at=timezone.now())
        connection.check_constraints()  # the foreign keys are deferred to the commit

    log.delete()

    assert not LogReview.objects.exists() and _keys(LOGS) == 0


def test_a_log_moved_to_another_month_keeps_its_key(turf_a, canvasser_a):  # noqa: F811
    log = _log(turf_a, canvasser_a)

    ConversationLog.objects.filter(pk=log.pk).update(
        received_at=timezone.now() - timedelta(days=62)
    )

    assert _keys(LOGS) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        _log(turf_a, canvasser_a, client_uuid=log.client_uuid)


def test_a_second_reply_to_one_inbound_text_is_refused():
    inbound = InboundSms.objects.create(
        message_sid="SM1", phone_hash="h1", action="review", received_at=timezone.now()
    )
    _sms(in_reply_to=inbound)

    with pytest.raises(IntegrityError), transaction.atomic():
        _sms(in_reply_to=inbound)

    assert SmsMessage.objects.count() == 1 and _keys(SMS) == 1


def test_the_purge_drops_sms_months_past_retention_and_keeps_the_rest(settings):
    settings.RETENTION_DAYS = 120
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=200), tick=False):
        partitions.partitions_ensure(SMS, months_ahead=0)
        old = _sms()
    recent = _sms()
    connection.check_constraints()  # a partition is dropped only with no deferred checks pending

    results = retention_purge(now=now)

    counts = results["sms_outbox"]
    assert counts["sms_messages_partitions_dropped"] >= 1
    assert counts["sms_messages_rows_dropped"] == 1
    assert list(SmsMessage.objects.values_list("pk", flat=True)) == [recent.pk]
    assert _keys(SMS) == 1
    assert not any(
        p.end <= (now - timedelta(days=120)).date() for p in partitions.partitions_of(SMS)
    )
    assert old.pk not in set(SmsMessage.objects.values_list("pk", flat=True))


def test_the_purge_trims_old_log_months_once_and_keeps_their_rows(
    settings,
    turf_a,  # noqa: F811
    canvasser_a,
):
    settings.RETENTION_DAYS = 120
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=200), tick=False):
        partitions.partitions_ensure(LOGS, months_ahead=0)
    log = _log(turf_a, canvasser_a, notes="gate code 1234", received_at=now - timedelta(days=200))

    first = retention_purge(now=now)["canvass-notes-locations"]
    second = retention_purge(now=now)["canvass-notes-locations"]

    log.refresh_from_db()
    assert log.notes == "" and ConversationLog.objects.count() == 1
    assert first["notes_cleared"] == 1 and second["notes_cleared"] == 0
    month = partitions.month_start((now - timedelta(days=200)).astimezone(UTC).date())
    (trimmed,) = [p for p in partitions.partitions_of(LOGS) if p.start == month]
    assert partitions.is_trimmed(trimmed)


def test_ensure_creates_future_months_and_moves_rows_from_the_default():
    far = datetime(2031, 5, 10, 12, tzinfo=UTC)
    with time_machine.travel(far, tick=False):
        message = _sms()  # no partition for 2031 yet: the default one holds it

        created = partitions.partitions_ensure(SMS, months_ahead=1)

    assert created == ["events_smsmessage_p203105", "events_smsmessage_p203106"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM events_smsmessage_p203105")
        assert cursor.fetchall() == [(message.pk,)]
    assert partitions.partitions_ensure(SMS, months_ahead=1, now=far) == []


def test_the_command_names_what_it_created():
    out = io.StringIO()
    call_command("partitions_ensure", "--months-ahead", "6", stdout=out)

    text = out.getvalue()
    assert "canvass_conversationlog: created" in text and "events_smsmessage: created" in text
    assert "Partitions ensured." in text
    again = io.StringIO()
    call_command("partitions_ensure", "--months-ahead", "6", stdout=again)
    assert "created nothing" in again.getvalue()


def test_the_command_refuses_a_negative_count():
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("partitions_ensure", "--months-ahead", "-1", stderr=err)
    assert "--months-ahead" in err.getvalue()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migrations_keep_every_row_both_ways(turf_a, canvasser_a):  # noqa: F811
    logs = [
        _log(turf_a, canvasser_a, received_at=timezone.now() - timedelta(days=d))
        for d in (0, 40, 400)
    ]
    texts = [_sms(), _sms()]
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        _migrate(
            [
                ("canvass", "0014_log_review_reason"),
                ("messaging", "0007_sms_conversations_and_keyword_actions"),
            ]
        )
        assert not partitions.is_partitioned(LOGS) and not partitions.is_partitioned(SMS)
        assert sorted(ConversationLog.objects.values_list("pk", flat=True)) == sorted(
            log.pk for log in logs
        )
        # The plain table has its unique constraint again.
        with pytest.raises(IntegrityError), transaction.atomic():
            _log(turf_a, canvasser_a, client_uuid=logs[0].client_uuid)
    finally:
        _migrate(leaves)

    assert partitions.is_partitioned(LOGS) and partitions.is_partitioned(SMS)
    assert sorted(ConversationLog.objects.values_list("pk", flat=True)) == sorted(
        log.pk for log in logs
    )
    assert sorted(SmsMessage.objects.values_list("pk", flat=True)) == sorted(t.pk for t in texts)
    assert _keys(LOGS) == 3 and _keys(SMS) == 2
    # The sequence follows: a new row gets a fresh id.
    assert _sms().pk > max(t.pk for t in texts)
    with pytest.raises(IntegrityError), transaction.atomic():
        _log(turf_a, canvasser_a, client_uuid=logs[2].client_uuid)
