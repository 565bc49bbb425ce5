"""Canvass defects found by trying the served app from outside (review "rv")."""

from __future__ import annotations

import pytest

from canvass.models import ConversationLog, Question, Script
from tests.canvass.conftest import batch, doors, log_item

pytestmark = pytest.mark.django_db
REPHRASE = "Please rephrase: do not record anyone's immigration or citizenship status."


@pytest.fixture
def script(db):
    script = Script.objects.create(name="Doors", is_default=True)
    Question.objects.create(script=script, code="why", text="Why?", kind="free_text", position=1)
    Question.objects.create(script=script, code="heard", text="Heard?", kind="yes_no", position=2)
    return script


def test_a_correction_whose_free_text_answer_is_refused_keeps_the_previous_answer(
    client_for, canvasser_a, turf_a, script
):
    """Free-text answers are treated like notes: a refused new note keeps the previous note, but
    a refused new free-text answer wiped the previous one."""
    client = client_for(canvasser_a)
    pushed = client.post(
        "/api/sync/push",
        batch(log_item(doors(turf_a)[0], answers={"why": "Rent doubled", "heard": False})),
        format="json",
    ).json()
    log_id = pushed["results"][0]["log"]["id"]

    response = client.patch(
        f"/api/logs/{log_id}",
        {"answers": {"why": "She is undocumented", "heard": True}},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == {"answers.why": [REPHRASE]}
    assert response.json()["log"]["answers"] == {"why": "Rent doubled", "heard": True}
    log = ConversationLog.objects.get(pk=log_id)
    assert log.all_answers == {"why": "Rent doubled", "heard": True}
    assert "undocumented" not in log.free_text_answers
