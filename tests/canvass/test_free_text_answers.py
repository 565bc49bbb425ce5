"""Free-text survey answers are treated exactly like notes: encrypted at rest (in the log and in
its history), screened for immigration status, purged by retention, erased with the voter and
never exported."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from canvass.models import ConversationLog, LogRevision, Question, Script
from tests.canvass.conftest import batch, doors, log_item, make_voter

pytestmark = pytest.mark.django_db

SECRET = "Her cousin's rent doubled"


@pytest.fixture
def script(db):
    script = Script.objects.create(name="Doors", is_default=True)
    Question.objects.create(script=script, code="why", text="Why?", kind="free_text", position=1)
    Question.objects.create(script=script, code="heard", text="Heard?", kind="yes_no", position=2)
    return script


def _push(client, *items):
    response = client.post("/api/sync/push", batch(*items), format="json")
    assert response.status_code == 200
    return response.json()


def _raw(table, columns, log_id):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {log_id}")
        return cursor.fetchone()


def test_a_pushed_free_text_answer_is_encrypted_and_kept_out_of_the_answers_column(
    client_for, canvasser_a, turf_a, script
):
    data = _push(
        client_for(canvasser_a), log_item(doors(turf_a)[0], answers={"why": SECRET, "heard": True})
    )

    assert data["results"][0]["status"] == "created"
    log = ConversationLog.objects.get()
    answers, free_text = _raw(
        "canvass_conversationlog", "answers, free_text_answers", f"id = {log.pk}"
    )
    answers = json.loads(answers) if isinstance(answers, str) else answers
    assert answers == {"heard": True}
    assert free_text.startswith("fernet:") and "rent" not in free_text
    assert log.all_answers == {"why": SECRET, "heard": True}


def test_a_free_text_answer_about_status_is_refused_and_stored_nowhere(
    client_for, canvasser_a, turf_a, script
):
    data = _push(
        client_for(canvasser_a),
        log_item(doors(turf_a)[0], answers={"why": "sus hijos son indocumentados", "heard": True}),
    )

    assert data["results"][0]["warnings"] == {
        "answers.why": [
            "Please rephrase: do not record anyone's immigration or citizenship status."
        ]
    }
    log = ConversationLog.objects.get()
    assert (log.answers, log.free_text_answers) == ({"heard": True}, "")


def test_a_correction_keeps_the_previous_free_text_encrypted_in_the_history(
    client_for, canvasser_a, lead_a, turf_a, script
):
    client = client_for(canvasser_a)
    item = log_item(doors(turf_a)[0], answers={"why": SECRET, "heard": True})
    _push(client, item)
    log = ConversationLog.objects.get()

    response = client.patch(
        f"/api/logs/{log.pk}",
        {"answers": {"why": "Wants a yard sign", "heard": False}},
        format="json",
    )
    history = client_for(lead_a).get(f"/api/logs/{log.pk}/history")

    assert response.status_code == 200
    assert response.json()["log"]["answers"] == {"why": "Wants a yard sign", "heard": False}
    revision = LogRevision.objects.get()
    previous, previous_free_text = _raw(
        "canvass_logrevision", "previous, previous_free_text_answers", f"id = {revision.pk}"
    )
    assert "rent" not in str(previous) and "rent" not in previous_free_text
    assert previous_free_text.startswith("fernet:")
    assert revision.previous_free_text_answers == json.dumps({"why": SECRET})
    assert history.status_code == 200
    assert "rent" not in history.content.decode() and "yard sign" not in history.content.decode()
    log.refresh_from_db()
    assert log.all_answers == {"why": "Wants a yard sign", "heard": False}


def test_the_csv_export_leaves_free_text_answers_out(
    client_for, canvasser_a, lead_a, turf_a, script
):
    _push(
        client_for(canvasser_a), log_item(doors(turf_a)[0], answers={"why": SECRET, "heard": True})
    )

    response = client_for(lead_a).get("/api/logs/export.csv")

    text = b"".join(response.streaming_content).decode()
    header, row = list(csv.reader(io.StringIO(text)))
    assert "rent" not in text
    assert json.loads(row[header.index("answers")]) == {"heard": True}


def test_retention_purges_free_text_answers_and_their_history(
    client_for, canvasser_a, turf_a, script, settings
):
    settings.RETENTION_DAYS = 30
    client = client_for(canvasser_a)
    old_door, new_door = doors(turf_a)[:2]
    _push(
        client,
        log_item(old_door, answers={"why": SECRET, "heard": True}),
        log_item(new_door, answers={"why": "Fresh", "heard": True}),
    )
    old = ConversationLog.objects.get(household=old_door)
    client.patch(
        f"/api/logs/{old.pk}", {"answers": {"why": "Edited", "heard": True}}, format="json"
    )
    long_ago = timezone.now() - timedelta(days=31)
    ConversationLog.objects.filter(pk=old.pk).update(received_at=long_ago)
    LogRevision.objects.update(changed_at=long_ago)

    call_command("purge_expired", stdout=io.StringIO())

    old.refresh_from_db()
    assert (old.free_text_answers, old.answers) == ("", {"heard": True})
    assert LogRevision.objects.get().previous_free_text_answers == ""
    assert ConversationLog.objects.get(household=new_door).all_answers["why"] == "Fresh"


def test_erasing_the_voter_erases_their_free_text_answers(
    client_for, organizer, canvasser_a, turf_a, script
):
    door = doors(turf_a)[0]
    voter = make_voter(door)
    _push(client_for(canvasser_a), log_item(door, voter=voter.pk, answers={"why": SECRET}))

    response = client_for(organizer).post(
        "/api/privacy/erasures", {"kind": "voter", "id": voter.pk}, format="json"
    )

    assert response.status_code == 201
    assert ConversationLog.objects.get().free_text_answers == ""
