"""The platform as data: planks through the API (organizers write, audited), the public list,
plank questions in scripts (push, pull, corrections) and reports broken down by plank."""

from __future__ import annotations

import pytest

from backend.audit.models import AuditEvent
from canvass.models import ConversationLog, Plank, Question, Script
from tests.canvass.conftest import batch, doors, log_item

pytestmark = pytest.mark.django_db

CODES = ["halt-deportations", "decriminalize-immigration", "end-detention", "demilitarize-border"]
HALT = {
    "code": "halt-deportations",
    "position": 1,
    "title_en": "Halt all deportations",
    "title_es": "Detener todas las deportaciones",
    "summary_en": "Stop every deportation now, and keep families and communities together while "
    "the laws that tear them apart are changed.",
    "summary_es": "Parar todas las deportaciones ya, y mantener unidas a las familias y "
    "comunidades mientras se cambian las leyes que las separan.",
}
NEW_PLANK = {
    "code": "fund-legal-defense",
    "title_en": "Fund legal defense",
    "title_es": "Financiar la defensa legal",
    "summary_en": "Every person facing deportation gets a lawyer.",
    "summary_es": "Toda persona ante una deportacion tiene abogado.",
}


def plank_question(code: str = "q_detention", plank: str = "end-detention") -> dict:
    return {"code": code, "text": "Should detention end?", "kind": "plank", "plank": plank}


def brief(code: str) -> dict:
    plank = Plank.objects.get(code=code)
    return {
        "code": code,
        "title_en": plank.title_en,
        "title_es": plank.title_es,
        "summary_en": plank.summary_en,
        "summary_es": plank.summary_es,
    }


# --- Planks ---------------------------------------------------------------------------------


def test_the_public_reads_the_four_planks_in_both_languages_without_an_account(api_client):
    response = api_client.get("/api/public/planks")

    assert response.status_code == 200
    assert [p["code"] for p in response.json()] == CODES
    assert response.json()[0] == HALT


def test_any_signed_in_role_lists_the_planks(client_for, canvasser_a, lead_a):
    for user in (canvasser_a, lead_a):
        body = client_for(user).get("/api/planks").json()
        assert [p["code"] for p in body] == CODES
        assert body[0] == {**HALT, "active": True, "updated_at": body[0]["updated_at"]}


def test_an_organizer_adds_a_plank_last_and_it_is_audited(client_for, organizer):
    response = client_for(organizer).post("/api/planks", NEW_PLANK, format="json")

    assert response.status_code == 201
    assert response.json() == {
        **NEW_PLANK,
        "position": 5,
        "active": True,
        "updated_at": response.json()["updated_at"],
    }
    plank = Plank.objects.get(code="fund-legal-defense")
    assert (plank.position, plank.title_es) == (5, "Financiar la defensa legal")
    event = AuditEvent.objects.get(action="plank.create")
    assert (event.actor, event.target_id, event.details) == (
        organizer,
        str(plank.pk),
        {"code": "fund-legal-defense"},
    )


@pytest.mark.parametrize("who", ["lead_a", "canvasser_a"])
def test_field_leads_and_canvassers_may_not_write_planks(client_for, who, request):
    client = client_for(request.getfixturevalue(who))

    created = client.post("/api/planks", NEW_PLANK, format="json")
    edited = client.patch("/api/planks/end-detention", {"title_en": "X"}, format="json")

    assert (created.status_code, edited.status_code) == (403, 403)
    assert not Plank.objects.filter(code="fund-legal-defense").exists()
    assert Plank.objects.get(code="end-detention").title_en == "End detention"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**NEW_PLANK, "code": "halt-deportations"}, 409, "code"),
        ({**NEW_PLANK, "code": "Not a slug!"}, 400, "code"),
        ({**NEW_PLANK, "title_es": ""}, 400, "title_es"),
        ({key: v for key, v in NEW_PLANK.items() if key != "summary_es"}, 400, "summary_es"),
        ({**NEW_PLANK, "summary_en": "x" * 1201}, 400, "summary_en"),
    ],
)
def test_a_bad_plank_is_refused_naming_the_field(client_for, organizer, body, status, field):
    response = client_for(organizer).post("/api/planks", body, format="json")

    assert response.status_code == status
    assert field in response.json()["error"]["fields"]
    assert Plank.objects.count() == 4


def test_an_organizer_edits_a_plank_audited_with_old_and_new(client_for, organizer, api_client):
    client = client_for(organizer)

    response = client.patch(
        "/api/planks/end-detention",
        {"title_en": "End all detention", "active": False},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["title_en"], response.json()["active"]) == ("End all detention", False)
    event = AuditEvent.objects.get(action="plank.update")
    assert event.details == {
        "code": "end-detention",
        "changes": {
            "title_en": {"old": "End detention", "new": "End all detention"},
            "active": {"old": True, "new": False},
        },
    }
    # An inactive plank leaves the public list and other roles' lists; organizers still see it.
    assert "end-detention" not in [p["code"] for p in api_client.get("/api/public/planks").json()]
    assert "end-detention" in [p["code"] for p in client.get("/api/planks").json()]


def test_a_plank_code_never_changes_and_unknown_planks_are_404(client_for, organizer, canvasser_a):
    client = client_for(organizer)

    renamed = client.patch("/api/planks/end-detention", {"code": "other"}, format="json")
    missing = client.patch("/api/planks/no-such-plank", {"title_en": "X"}, format="json")

    assert renamed.status_code == 400
    assert "code" in renamed.json()["error"]["fields"]
    assert missing.status_code == 404
    assert Plank.objects.filter(code="end-detention").exists()


def test_an_inactive_plank_is_404_for_canvassers(client_for, organizer, canvasser_a):
    Plank.objects.filter(code="end-detention").update(active=False)

    assert client_for(canvasser_a).get("/api/planks/end-detention").status_code == 404
    assert client_for(organizer).get("/api/planks/end-detention").status_code == 200


# --- Plank questions ------------------------------------------------------------------------


def make_script(client, *questions, is_default=True):
    response = client.post(
        "/api/scripts",
        {"name": "Planks", "is_default": is_default, "questions": list(questions)},
        format="json",
    )
    return response


def test_a_script_asks_about_a_plank_with_fixed_answers(client_for, organizer):
    response = make_script(client_for(organizer), plank_question())

    assert response.status_code == 201
    assert response.json()["questions"] == [
        {
            "code": "q_detention",
            "text": "Should detention end?",
            "kind": "plank",
            "position": 1,
            "choices": [
                {"code": "support", "label": "Supports"},
                {"code": "against", "label": "Against"},
                {"code": "undecided", "label": "Undecided"},
            ],
            "scale_min": None,
            "scale_max": None,
            "plank": brief("end-detention"),
        }
    ]
    question = Question.objects.get(code="q_detention")
    assert question.plank.code == "end-detention"


@pytest.mark.parametrize(
    ("questions", "field"),
    [
        ([plank_question(plank="no-such-plank")], "questions.0.plank"),
        ([{**plank_question(), "plank": None}], "questions.0.plank"),
        (
            [{"code": "heard", "text": "?", "kind": "yes_no", "plank": "end-detention"}],
            "questions.0.plank",
        ),
        ([plank_question("a"), plank_question("b")], "questions.1.plank"),
        (
            [{**plank_question(), "choices": [{"code": "x", "label": "X"}]}],
            "questions.0.choices",
        ),
    ],
)
def test_a_bad_plank_question_is_refused_naming_the_field(client_for, organizer, questions, field):
    response = make_script(client_for(organizer), *questions)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Script.objects.exists()


def test_an_inactive_plank_cannot_be_asked_about(client_for, organizer):
    Plank.objects.filter(code="end-detention").update(active=False)

    response = make_script(client_for(organizer), plank_question())

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"questions.0.plank": ["No such active plank."]}


@pytest.fixture
def plank_script(client_for, organizer):
    response = make_script(
        client_for(organizer),
        plank_question(),
        plank_question("q_border", "demilitarize-border"),
    )
    assert response.status_code == 201
    return Script.objects.get(pk=response.json()["id"])


def push(client, *items):
    response = client.post("/api/sync/push", batch(*items), format="json")
    assert response.status_code == 200
    return response.json()


def test_a_plank_answer_is_pushed_and_a_wrong_one_is_refused(
    client_for, canvasser_a, turf_a, plank_script
):
    d = doors(turf_a)

    body = push(
        client_for(canvasser_a),
        log_item(d[0], answers={"q_detention": "support", "q_border": "against"}),
        log_item(d[1], answers={"q_detention": "yes"}),
    )

    assert [r["status"] for r in body["results"]] == ["created", "rejected"]
    assert body["results"][1]["errors"] == {
        "answers.q_detention": ["Expected one of: against, support, undecided."]
    }
    log = ConversationLog.objects.get()
    assert (log.answers, log.free_text_answers) == (
        {"q_detention": "support", "q_border": "against"},
        "",
    )


# Committed for real (each request its own transaction), so the cursor's snapshot decides
# what comes again: inside one test transaction every row would be re-sent.
@pytest.mark.django_db(transaction=True)
def test_the_pull_carries_plank_questions_and_an_edited_plank_reaches_the_phone(
    client_for, organizer, canvasser_a, turf_a, plank_script
):
    phone = client_for(canvasser_a)
    first = phone.get("/api/sync/pull").json()
    question = first["scripts"][0]["questions"][0]
    assert (question["kind"], question["plank"]) == ("plank", brief("end-detention"))
    unchanged = phone.get("/api/sync/pull", {"cursor": first["cursor"]}).json()
    assert unchanged["scripts"] == []

    client_for(organizer).patch(
        "/api/planks/end-detention", {"summary_es": "Cerrar los centros."}, format="json"
    )
    after = phone.get("/api/sync/pull", {"cursor": first["cursor"]}).json()

    assert [s["id"] for s in after["scripts"]] == [plank_script.pk]
    assert after["scripts"][0]["questions"][0]["plank"]["summary_es"] == "Cerrar los centros."


# --- Reports by plank -----------------------------------------------------------------------


def counts(support: int, against: int, undecided: int) -> dict:
    return {"support": support, "against": against, "undecided": undecided}


def test_reports_break_support_down_by_plank_the_pledge_counting_for_all_four(
    client_for, organizer, lead_a, lead_b, canvasser_a, turf_a, plank_script
):
    d = doors(turf_a)
    push(
        client_for(canvasser_a),
        # An explicit plank answer wins over the pledge for that plank.
        log_item(d[0], pledge="yes", answers={"q_detention": "against"}),
        log_item(d[1], pledge="no"),
        log_item(d[2], answers={"q_border": "support"}),
        log_item(d[3], pledge="undecided", answers={"q_border": "undecided"}),
        log_item(d[4], result="not_home", support_level=None),
    )
    expected = [
        {"plank": "halt-deportations", **counts(1, 1, 1)},
        {"plank": "decriminalize-immigration", **counts(1, 1, 1)},
        {"plank": "end-detention", **counts(0, 2, 1)},
        {"plank": "demilitarize-border", **counts(2, 1, 1)},
    ]

    progress = client_for(lead_a).get(f"/api/turfs/{turf_a.pk}/progress")
    precincts = client_for(organizer).get("/api/reports/precincts")

    assert progress.json()["planks"] == expected
    assert [row["planks"] for row in precincts.json()] == [expected]
    assert client_for(lead_b).get(f"/api/turfs/{turf_a.pk}/progress").status_code == 404


def test_excluded_logs_and_inactive_planks_leave_the_plank_report(
    client_for, lead_a, canvasser_a, turf_a, plank_script
):
    d = doors(turf_a)
    push(client_for(canvasser_a), log_item(d[0], pledge="yes"), log_item(d[1], pledge="yes"))
    ConversationLog.objects.filter(household=d[1]).update(excluded=True)
    Plank.objects.filter(code="halt-deportations").update(active=False)

    planks = client_for(lead_a).get(f"/api/turfs/{turf_a.pk}/progress").json()["planks"]

    assert planks == [
        {"plank": code, **counts(1, 0, 0)} for code in CODES if code != "halt-deportations"
    ]
