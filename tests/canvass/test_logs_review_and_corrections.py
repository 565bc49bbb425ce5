"""The review queue, corrections with history, safety flags and scripts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from backend.audit.models import AuditEvent
from canvass.models import ConversationLog, Household, LogReview, LogRevision, Script
from tests.canvass.conftest import batch, doors, log_item

pytestmark = pytest.mark.django_db


def push(client, *items):
    response = client.post("/api/sync/push", batch(*items), format="json")
    assert response.status_code == 200
    return [r["log"]["id"] if "log" in r else None for r in response.json()["results"]]


@pytest.fixture
def flagged_log(client_for, canvasser_a, turf_a):
    (log_id,) = push(client_for(canvasser_a), log_item(doors(turf_a)[0], location=None))
    return ConversationLog.objects.get(pk=log_id)


def test_field_lead_sees_their_teams_flagged_logs_in_the_review_queue(
    client_for, lead_a, lead_b, canvasser_a, turf_a, flagged_log
):
    push(client_for(canvasser_a), log_item(doors(turf_a)[1]))  # not flagged

    mine = client_for(lead_a).get("/api/logs/review").json()
    other = client_for(lead_b).get("/api/logs/review").json()

    assert [r["id"] for r in mine["results"]] == [flagged_log.pk]
    assert mine["results"][0]["flags"] == ["unverified"]
    assert "notes" not in mine["results"][0] and "latitude" not in mine["results"][0]
    assert other["results"] == []


def test_excluding_and_clearing_are_reversible_and_recorded(client_for, lead_a, flagged_log):
    client = client_for(lead_a)
    url = f"/api/logs/{flagged_log.pk}/review"

    excluded = client.post(url, {"action": "exclude", "reason": "duplicate"}, format="json").json()
    included = client.post(url, {"action": "include"}, format="json").json()
    cleared = client.post(url, {"action": "clear"}, format="json").json()

    assert (excluded["excluded"], included["excluded"], cleared["flag_cleared"]) == (
        True,
        False,
        True,
    )
    assert client.get("/api/logs/review").json()["results"] == []
    assert [
        r["id"]
        for r in client.get("/api/logs/review", {"include_cleared": "true"}).json()["results"]
    ] == [flagged_log.pk]
    history = client.get(f"/api/logs/{flagged_log.pk}/history").json()
    assert [(r["action"], r["actor"]["username"]) for r in history["reviews"]] == [
        ("exclude", "lead_a"),
        ("include", "lead_a"),
        ("clear", "lead_a"),
    ]
    assert LogReview.objects.count() == 3


def test_an_excluded_log_leaves_the_counts(client_for, lead_a, turf_a, flagged_log):
    client = client_for(lead_a)
    before = client.get(f"/api/turfs/{turf_a.pk}/progress").json()

    client.post(
        f"/api/logs/{flagged_log.pk}/review",
        {"action": "exclude", "reason": "wrong_door"},
        format="json",
    )
    after = client.get(f"/api/turfs/{turf_a.pk}/progress").json()

    assert (before["doors_knocked"], after["doors_knocked"]) == (1, 0)


def test_another_teams_lead_cannot_review_a_log(client_for, lead_b, flagged_log):
    response = client_for(lead_b).post(
        f"/api/logs/{flagged_log.pk}/review",
        {"action": "exclude", "reason": "duplicate"},
        format="json",
    )

    assert response.status_code == 404
    assert not ConversationLog.objects.get(pk=flagged_log.pk).excluded


def test_excluding_needs_a_reason_from_the_list_and_the_history_keeps_it(
    client_for, lead_a, flagged_log
):
    client = client_for(lead_a)
    url = f"/api/logs/{flagged_log.pk}/review"

    missing = client.post(url, {"action": "exclude"}, format="json")
    unknown = client.post(url, {"action": "exclude", "reason": "the voter was rude"}, format="json")
    assert (missing.status_code, unknown.status_code) == (400, 400)
    assert list(missing.json()["error"]["fields"]) == ["reason"]
    assert list(unknown.json()["error"]["fields"]) == ["reason"]
    assert not LogReview.objects.exists()
    assert not ConversationLog.objects.get(pk=flagged_log.pk).excluded

    client.post(url, {"action": "exclude", "reason": "test_entry"}, format="json")
    client.post(url, {"action": "include"}, format="json")
    client.post(url, {"action": "clear", "reason": "other"}, format="json")
    history = client.get(f"/api/logs/{flagged_log.pk}/history").json()

    assert [(r["action"], r["reason"]) for r in history["reviews"]] == [
        ("exclude", "test_entry"),
        ("include", ""),
        ("clear", "other"),
    ]
    assert list(LogReview.objects.order_by("id").values_list("reason", flat=True)) == [
        "test_entry",
        "",
        "other",
    ]


def test_a_canvasser_corrects_their_log_and_the_previous_version_is_kept(
    client_for, canvasser_a, turf_a
):
    client = client_for(canvasser_a)
    (log_id,) = push(client, log_item(doors(turf_a)[0], notes="Blue door"))

    response = client.patch(
        f"/api/logs/{log_id}", {"support_level": 1, "notes": "Blue door, dog"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["log"]["support_level"] == 1
    revision = LogRevision.objects.get()
    assert (revision.action, revision.changed_by, revision.previous["support_level"]) == (
        "edit",
        canvasser_a,
        2,
    )
    assert revision.previous_notes == "Blue door"
    assert ConversationLog.objects.get().notes == "Blue door, dog"


def test_a_correction_follows_the_push_rules(client_for, canvasser_a, turf_a):
    client = client_for(canvasser_a)
    (log_id,) = push(client, log_item(doors(turf_a)[0]))

    bad = client.patch(f"/api/logs/{log_id}", {"result": "not_home"}, format="json")
    sensitive = client.patch(
        f"/api/logs/{log_id}", {"notes": "no tiene papeles, sin papeles"}, format="json"
    )

    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"support_level": ["Only for a contacted person."]}
    assert sensitive.status_code == 200
    assert sensitive.json()["warnings"] == {
        "notes": ["Please rephrase: do not record anyone's immigration or citizenship status."]
    }


def test_corrections_close_after_the_edit_window(client_for, canvasser_a, turf_a, settings):
    settings.CANVASS_EDIT_WINDOW_HOURS = 24
    client = client_for(canvasser_a)
    (log_id,) = push(client, log_item(doors(turf_a)[0]))

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        response = client_for(canvasser_a).delete(f"/api/logs/{log_id}")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "edit_window_closed"


def test_a_deleted_log_keeps_its_history_and_leaves_the_counts(
    client_for, canvasser_a, lead_a, turf_a
):
    client = client_for(canvasser_a)
    (log_id,) = push(client, log_item(doors(turf_a)[0]))

    assert client.delete(f"/api/logs/{log_id}").status_code == 204

    log = ConversationLog.objects.get(pk=log_id)
    assert log.deleted_at is not None
    assert LogRevision.objects.get().action == "delete"
    assert client_for(lead_a).get(f"/api/turfs/{turf_a.pk}/progress").json()["doors_knocked"] == 0


def test_a_canvasser_cannot_touch_someone_elses_log(client_for, canvasser_b, flagged_log):
    client = client_for(canvasser_b)

    assert (
        client.patch(f"/api/logs/{flagged_log.pk}", {"support_level": 1}, format="json").status_code
        == 404
    )
    assert client.delete(f"/api/logs/{flagged_log.pk}").status_code == 404


def test_safety_flags_survive_later_logs_and_only_staff_clear_them(
    client_for, canvasser_a, lead_a, lead_b, turf_a
):
    door = doors(turf_a)[0]
    client = client_for(canvasser_a)
    push(client, log_item(door, result="refused", support_level=None, do_not_knock=True))
    push(client, log_item(door, result="not_home", support_level=None, do_not_knock=False))
    assert Household.objects.get(pk=door.pk).do_not_knock

    url = f"/api/households/{door.pk}/flags/clear"
    assert client.post(url, {"flags": ["do_not_knock"]}, format="json").status_code == 403
    assert (
        client_for(lead_b).post(url, {"flags": ["do_not_knock"]}, format="json").status_code == 404
    )
    response = client_for(lead_a).post(url, {"flags": ["do_not_knock"]}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "id": door.pk,
        "do_not_knock": False,
        "moved": False,
        "deceased": False,
    }
    assert AuditEvent.objects.filter(action="household.flags_clear").count() == 1


def test_walk_list_shows_flags_and_the_latest_result(client_for, canvasser_a, turf_a):
    door = doors(turf_a)[0]
    client = client_for(canvasser_a)
    push(
        client,
        log_item(
            door, result="refused", support_level=None, do_not_knock=True, follow_up_needed=True
        ),
    )

    stops = client.get(f"/api/turfs/{turf_a.pk}/walk-list").json()["stops"]

    stop = next(s for s in stops if s["household"]["id"] == door.pk)
    assert stop["safety_flags"] == {"do_not_knock": True, "moved": False, "deceased": False}
    assert stop["latest_result"]["result"] == "refused"
    assert stop["latest_result"]["follow_up_needed"] is True


SCRIPT = {
    "name": "Pre-caucus: Migrant Justice Platform",
    "is_default": True,
    "questions": [
        {
            "code": "top_issue",
            "text": "What matters most?",
            "kind": "single_choice",
            "choices": [
                {"code": "wages", "label": "Wages"},
                {"code": "housing", "label": "Housing"},
            ],
        },
        {
            "code": "issues",
            "text": "Which also?",
            "kind": "multiple_choice",
            "choices": [
                {"code": "wages", "label": "Wages"},
                {"code": "schools", "label": "Schools"},
            ],
        },
        {"code": "heard", "text": "Heard of the platform?", "kind": "yes_no"},
        {
            "code": "urgency",
            "text": "How urgent?",
            "kind": "scale",
            "scale_min": 1,
            "scale_max": 10,
        },
        {"code": "why", "text": "Why?", "kind": "free_text"},
    ],
}


def test_organizer_defines_a_script_and_answers_are_validated_against_it(
    client_for, organizer, lead_a, canvasser_a, turf_a
):
    assert client_for(lead_a).post("/api/scripts", SCRIPT, format="json").status_code == 403
    created = client_for(organizer).post("/api/scripts", SCRIPT, format="json")
    assert created.status_code == 201
    assert [q["code"] for q in created.json()["questions"]] == [
        "top_issue",
        "issues",
        "heard",
        "urgency",
        "why",
    ]
    first, second = doors(turf_a)[:2]
    good = {"top_issue": "wages", "issues": ["schools"], "heard": True, "urgency": 7, "why": "Rent"}
    bad = {"top_issue": "taxes", "issues": "wages", "heard": "yes", "urgency": 11, "nope": 1}

    data = (
        client_for(canvasser_a)
        .post(
            "/api/sync/push",
            batch(log_item(first, answers=good), log_item(second, answers=bad)),
            format="json",
        )
        .json()
    )

    assert data["results"][0]["status"] == "created"
    assert data["results"][1]["errors"] == {
        "answers.top_issue": ["Expected one of: housing, wages."],
        "answers.issues": ["Expected a list of distinct codes from: schools, wages."],
        "answers.heard": ["Expected true or false."],
        "answers.urgency": ["Expected an integer from 1 to 10."],
        "answers.nope": ["Not a question of the active script."],
    }
    assert ConversationLog.objects.get().all_answers == good


def test_a_turf_gets_its_own_active_script(client_for, organizer, lead_a, lead_b, turf_a):
    script = Script.objects.create(name="Spanish script")

    other = client_for(lead_b).put(
        f"/api/turfs/{turf_a.pk}/script", {"script": script.pk}, format="json"
    )
    response = client_for(lead_a).put(
        f"/api/turfs/{turf_a.pk}/script", {"script": script.pk}, format="json"
    )

    assert other.status_code == 404
    assert response.status_code == 200
    assert response.json()["id"] == script.pk


def test_a_scale_question_needs_a_range(client_for, organizer):
    body = {"name": "S", "questions": [{"code": "x", "text": "X", "kind": "scale"}]}

    response = client_for(organizer).post("/api/scripts", body, format="json")

    assert response.status_code == 400
    assert "questions.0.scale_max" in response.json()["error"]["fields"]


def test_a_free_text_answer_about_status_is_dropped_and_the_log_kept(
    client_for, canvasser_a, turf_a
):
    from canvass.models import Question

    script = Script.objects.create(name="S", is_default=True)
    Question.objects.create(script=script, code="why", text="Why?", kind="free_text", position=1)

    data = (
        client_for(canvasser_a)
        .post(
            "/api/sync/push",
            batch(log_item(doors(turf_a)[0], answers={"why": "Worried about deportation"})),
            format="json",
        )
        .json()
    )

    assert data["results"][0]["status"] == "created"
    assert data["results"][0]["warnings"] == {
        "answers.why": [
            "Please rephrase: do not record anyone's immigration or citizenship status."
        ]
    }
    assert ConversationLog.objects.get().answers == {}


def test_a_door_in_two_of_the_teams_turfs_still_has_its_flags_cleared(
    client_for, lead_a, team_a, turf_a
):
    from tests.canvass.conftest import make_turf

    door = doors(turf_a)[0]
    turf_a.stops.filter(household=door).update(active=False)
    make_turf(team_a, [door], name="Re-cut")
    Household.objects.filter(pk=door.pk).update(do_not_knock=True)

    response = client_for(lead_a).post(
        f"/api/households/{door.pk}/flags/clear", {"flags": ["do_not_knock"]}, format="json"
    )

    assert response.status_code == 200
