"""Two connections at once: exactly one row per UUID, and no cursor ever skips a slow commit."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from canvass.models import ConversationLog
from canvass.services.sync import conversation_batch_record
from tests.canvass.conftest import batch, doors, log_item

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_thread(target):
    def run():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_concurrent_pushes_of_the_same_uuid_store_exactly_one_row(canvasser_a, turf_a):
    body = batch(log_item(doors(turf_a)[0]))
    first_inserted, release = threading.Event(), threading.Event()
    outcomes = {}

    def slow_first_push():
        with transaction.atomic():
            outcomes["first"] = conversation_batch_record(actor=canvasser_a, payload=body)
            first_inserted.set()
            release.wait(10)  # holds its row uncommitted while the second push arrives

    def second_push():
        outcomes["second"] = conversation_batch_record(actor=canvasser_a, payload=body)

    first = in_thread(slow_first_push)
    assert first_inserted.wait(10)
    second = in_thread(second_push)
    time.sleep(0.5)  # the second INSERT ... ON CONFLICT now waits on the unique index
    assert "second" not in outcomes
    release.set()
    first.join(10)
    second.join(10)

    assert outcomes["first"].results[0].status == "created"
    assert outcomes["second"].results[0].status == "duplicate"
    assert outcomes["second"].results[0].log == outcomes["first"].results[0].log
    assert ConversationLog.objects.count() == 1


def test_a_slow_transaction_that_began_before_the_cursor_is_still_delivered(
    client_for, canvasser_a, turf_a
):
    all_doors = doors(turf_a)
    client = client_for(canvasser_a)
    slow_wrote, release = threading.Event(), threading.Event()

    def make_log(door, minutes):
        return ConversationLog.objects.create(
            client_uuid=log_item(door)["client_uuid"],
            canvasser=canvasser_a,
            household=door,
            turf=turf_a,
            result="not_home",
            contacted_at=timezone.now() - timedelta(minutes=minutes),
            received_at=timezone.now(),
        )

    def slow_writer():
        with transaction.atomic():
            make_log(all_doors[0], 5)  # its id comes from the sequence before the fast log's
            slow_wrote.set()
            release.wait(10)

    slow = in_thread(slow_writer)
    assert slow_wrote.wait(10)
    fast = make_log(all_doors[1], 4)  # commits at once, with a later id and a later xid

    first = client.get("/api/sync/pull").json()
    assert not first["has_more"]
    assert [log["id"] for log in first["logs"]] == [fast.pk]

    release.set()
    slow.join(10)
    second = client.get("/api/sync/pull", {"cursor": first["cursor"]}).json()

    slow_log = ConversationLog.objects.get(household=all_doors[0])
    assert slow_log.pk < fast.pk  # a cursor on ids (or on now()) would have skipped it
    assert slow_log.pk in [log["id"] for log in second["logs"]]


def test_a_change_committed_while_paging_is_delivered_by_the_next_round(
    client_for, canvasser_a, turf_a
):
    from canvass.models import Household

    client = client_for(canvasser_a)
    page = client.get("/api/sync/pull", {"limit": 2}).json()
    sent = [h["id"] for h in page["households"]]
    assert sent and page["has_more"]

    # Another connection edits a door already sent, mid-download.
    def edit():
        Household.objects.filter(pk=sent[0]).update(street="3 EDITED ST")

    in_thread(edit).join(10)

    cursor = page["cursor"]
    while page["has_more"]:
        page = client.get("/api/sync/pull", {"cursor": cursor, "limit": 2}).json()
        cursor = page["cursor"]
    final = client.get("/api/sync/pull", {"cursor": cursor}).json()

    assert any(h["id"] == sent[0] and h["street"] == "3 EDITED ST" for h in final["households"])


def test_simultaneous_pushes_sharing_uuids_in_opposite_orders_never_deadlock(canvasser_a, turf_a):
    all_doors = doors(turf_a)
    items = [log_item(all_doors[i % len(all_doors)]) for i in range(60)]
    forward, backward = batch(*items), batch(*reversed(items))
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def push(body):
        def run():
            barrier.wait()
            try:
                result = conversation_batch_record(actor=canvasser_a, payload=body)
                outcomes.append(sorted(r.status for r in result.results))
            except Exception as exc:
                outcomes.append(exc)

        return run

    threads = [in_thread(push(forward)), in_thread(push(backward))]
    for thread in threads:
        thread.join(30)

    assert all(isinstance(o, list) for o in outcomes), outcomes
    statuses = [s for o in outcomes for s in o]
    assert statuses.count("created") == 60 and statuses.count("duplicate") == 60
    assert ConversationLog.objects.count() == 60
