"""A refused note in a correction keeps the previous note; a phone that drops the connection
mid-upload is a warning, not an error with a traceback."""

from __future__ import annotations

import json
import logging

import pytest

from canvass.models import ConversationLog, LogRevision
from tests.canvass.conftest import batch, doors, log_item

pytestmark = pytest.mark.django_db
REPHRASE = "Please rephrase: do not record anyone's immigration or citizenship status."


def test_a_correction_whose_note_is_refused_keeps_the_previous_note(
    client_for, canvasser_a, canvasser_b, turf_a
):
    client = client_for(canvasser_a)
    pushed = client.post(
        "/api/sync/push", batch(log_item(doors(turf_a)[0], notes="Ask for Rosa")), format="json"
    ).json()
    log_id = pushed["results"][0]["log"]["id"]

    response = client.patch(
        f"/api/logs/{log_id}",
        {"notes": "She is undocumented", "follow_up_needed": True},
        format="json",
    )
    foreign = client_for(canvasser_b).patch(f"/api/logs/{log_id}", {"notes": "x"}, format="json")

    assert response.status_code == 200
    assert response.json()["warnings"] == {"notes": [REPHRASE]}
    assert response.json()["log"]["notes"] == "Ask for Rosa"
    log = ConversationLog.objects.get(pk=log_id)
    assert (log.notes, log.follow_up_needed) == ("Ask for Rosa", True)
    assert LogRevision.objects.get(log=log).previous_notes == "Ask for Rosa"
    assert foreign.status_code == 404


class _DroppedConnection:
    """wsgi.input of a phone that loses signal mid-upload: like gunicorn's body reader, the
    read for the announced length fails (gunicorn raises NoMoreData, an OSError)."""

    def read(self, size: int = -1) -> bytes:
        raise OSError("No more data after 20 of the announced bytes")

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def test_a_push_cut_off_mid_upload_is_a_400_and_a_warning(client_for, canvasser_a, turf_a, caplog):
    body = json.dumps(batch(log_item(doors(turf_a)[0]))).encode()
    client = client_for(canvasser_a)

    with caplog.at_level(logging.WARNING):
        response = client.generic(
            "POST",
            "/api/sync/push",
            body,
            content_type="application/json",
            **{"wsgi.input": _DroppedConnection()},
        )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "upload_incomplete"
    assert not ConversationLog.objects.exists()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any(r.levelno == logging.WARNING for r in caplog.records)
