"""Progress, reports, CSV export, readiness, volunteer leads; erasure and retention of canvass data."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.audit.models import AuditEvent
from backend.privacy.services import person_erase, retention_purge
from canvass.models import ConversationLog, Voter
from canvass.selectors.reports import EXPORT_COLUMNS
from tests.canvass.conftest import batch, doors, log_item, make_voter

pytestmark = pytest.mark.django_db
PLANK_CODES = [
    "halt-deportations",
    "decriminalize-immigration",
    "end-detention",
    "demilitarize-border",
]


def push(client, *items, **extra):
    response = client.post("/api/sync/push", batch(*items, **extra), format="json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def worked_turf(client_for, canvasser_a, turf_a):
    d = doors(turf_a)
    push(
        client_for(canvasser_a),
        log_item(d[0], support_level=1, pledge="yes"),
        log_item(d[1], support_level=1, pledge="undecided"),
        log_item(d[2], support_level=4),
        log_item(d[3], result="not_home", support_level=None),
        log_item(d[3], result="not_home", support_level=None, location=None),
    )
    return turf_a


def test_turf_progress_counts_doors_contacts_support_and_pledges(client_for, lead_a, worked_turf):
    response = client_for(lead_a).get(f"/api/turfs/{worked_turf.pk}/progress")

    assert response.json() == {
        "turf": worked_turf.pk,
        "doors_total": 6,
        "doors_knocked": 4,
        "doors_contacted": 3,
        "logs": 5,
        "support": {"1": 2, "2": 0, "3": 0, "4": 1, "5": 0},
        "pledges": {"yes": 1, "no": 0, "undecided": 1},
        # The pledge question counts for every plank: yes as support, undecided as undecided.
        "planks": [
            {"plank": code, "support": 1, "against": 0, "undecided": 1} for code in PLANK_CODES
        ],
        "completion_percent": 66.7,
        "languages": {},
    }


def test_turf_list_shows_doors_visited(client_for, lead_a, worked_turf):
    turfs = client_for(lead_a).get("/api/turfs").json()["results"]

    assert [t["doors_visited"] for t in turfs] == [4]


def test_canvasser_day_report_for_the_team(client_for, lead_a, lead_b, canvasser_a, worked_turf):
    rows = client_for(lead_a).get("/api/reports/canvassers").json()
    other = client_for(lead_b).get("/api/reports/canvassers").json()

    assert len(rows) == 1
    row = rows[0]
    assert (row["canvasser"]["username"], row["doors"], row["logs"], row["contacts"]) == (
        "canvasser_a",
        4,
        5,
        3,
    )
    assert (row["contact_rate"], row["flagged"]) == (0.6, 1)
    assert other == []


def test_precinct_summary_is_for_organizers(client_for, organizer, lead_a, worked_turf):
    assert client_for(lead_a).get("/api/reports/precincts").status_code == 403
    rows = client_for(organizer).get("/api/reports/precincts").json()

    assert rows == [
        {
            "precinct": None,
            "county": "",
            "name": "",
            "doors_knocked": 4,
            "contacts": 3,
            "supporters": 2,
            "pledged": 1,
            "planks": [
                {"plank": code, "support": 1, "against": 0, "undecided": 1} for code in PLANK_CODES
            ],
        }
    ]


def test_csv_export_streams_the_teams_logs_with_stable_columns_and_is_audited(
    client_for, lead_a, lead_b, worked_turf
):
    response = client_for(lead_a).get("/api/logs/export.csv")
    other = client_for(lead_b).get("/api/logs/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) == 6
    assert "notes" not in rows[0] and "latitude" not in rows[0]
    other_rows = list(csv.reader(io.StringIO(b"".join(other.streaming_content).decode())))
    assert len(other_rows) == 1
    assert AuditEvent.objects.filter(action="export.conversation_logs").count() == 2
    assert AuditEvent.objects.filter(
        action="export.conversation_logs", actor=lead_a
    ).get().details == {"rows": 5}


def test_csv_export_costs_a_constant_number_of_queries(client_for, lead_a, canvasser_a, turf_a):
    client = client_for(lead_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            b"".join(client.get("/api/logs/export.csv").streaming_content)
        return len(queries)

    push(client_for(canvasser_a), log_item(doors(turf_a)[0]))
    count()  # warm up: the token's last-used stamp
    few = count()
    push(client_for(canvasser_a), *(log_item(d) for d in doors(turf_a) for _ in range(3)))

    assert count() == few


def test_readiness_shows_who_synced_and_who_holds_logs(
    client_for, lead_a, lead_b, canvasser_a, canvasser_b, turf_a
):
    push(client_for(canvasser_a), log_item(doors(turf_a)[0]), pending_count=4)

    rows = client_for(lead_a).get("/api/sync/readiness").json()
    other = client_for(lead_b).get("/api/sync/readiness").json()

    assert len(rows) == 1
    row = rows[0]
    assert (
        row["canvasser"]["username"],
        row["pending_logs"],
        row["ready"],
        row["minutes_since_sync"],
    ) == ("canvasser_a", 4, False, 0)
    assert row["devices"][0]["device_id"] == "phone-1"
    assert [(r["canvasser"]["username"], r["last_sync_at"], r["ready"]) for r in other] == [
        ("canvasser_b", None, False)
    ]


def test_a_contacted_person_who_wants_to_volunteer_becomes_a_lead(
    client_for, organizer, lead_a, canvasser_a, turf_a
):
    door = doors(turf_a)[0]
    voter = make_voter(door, first_name="Rosa")
    push(
        client_for(canvasser_a),
        log_item(door, voter=voter.pk, wants_to_volunteer=True, volunteer_consent=True),
        log_item(doors(turf_a)[1], wants_to_volunteer=True),  # no consent: not a lead
    )

    assert client_for(lead_a).get("/api/volunteer-leads").status_code == 403
    leads = client_for(organizer).get("/api/volunteer-leads").json()["results"]

    assert [(lead["voter"], lead["first_name"], lead["volunteer_consent"]) for lead in leads] == [
        (voter.pk, "Rosa", True)
    ]


def test_volunteer_consent_needs_wanting_to_volunteer(client_for, canvasser_a, turf_a):
    data = push(client_for(canvasser_a), log_item(doors(turf_a)[0], volunteer_consent=True))

    assert data["results"][0]["errors"] == {
        "volunteer_consent": ["Only together with wants_to_volunteer."]
    }


def test_notes_are_encrypted_at_rest(client_for, canvasser_a, turf_a):
    push(client_for(canvasser_a), log_item(doors(turf_a)[0], notes="Grandmother speaks Mam"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM canvass_conversationlog")
        (raw,) = cursor.fetchone()

    assert "Grandmother" not in raw and raw.startswith("fernet:")
    assert ConversationLog.objects.get().notes == "Grandmother speaks Mam"


def test_erasing_a_voter_keeps_anonymous_counts(client_for, organizer, canvasser_a, turf_a):
    door = doors(turf_a)[0]
    voter = make_voter(door)
    push(client_for(canvasser_a), log_item(door, voter=voter.pk, notes="Likes the platform"))

    counts = person_erase(actor=organizer, kind="voter", subject_id=voter.pk)

    assert counts == {"voters": 1, "conversation_logs_anonymized": 1}
    assert not Voter.objects.filter(pk=voter.pk).exists()
    log = ConversationLog.objects.get()
    assert (log.voter_id, log.notes, log.latitude, log.result, log.support_level) == (
        None,
        "",
        None,
        "contacted",
        2,
    )


def test_retention_purges_old_notes_and_locations_but_keeps_the_rows(
    client_for, canvasser_a, turf_a, settings
):
    from canvass.models import Question, Script

    settings.RETENTION_DAYS = 30
    script = Script.objects.create(name="S", is_default=True)
    Question.objects.create(script=script, code="why", text="Why?", kind="free_text", position=1)
    Question.objects.create(script=script, code="heard", text="Heard?", kind="yes_no", position=2)
    old, new = doors(turf_a)[:2]
    answers = {"why": "Her cousin's rent doubled", "heard": True}
    push(
        client_for(canvasser_a),
        log_item(old, notes="Old note", answers=answers),
        log_item(new, notes="New note", answers=answers),
    )
    ConversationLog.objects.filter(household=old).update(
        received_at=timezone.now() - timedelta(days=31)
    )

    results = retention_purge()

    assert results["canvass-notes-locations"] == {
        "notes_cleared": 1,
        "free_text_answers_cleared": 1,
        "locations_cleared": 1,
        "revisions_cleared": 0,
    }
    logs = {log.household_id: log for log in ConversationLog.objects.all()}
    assert (logs[old.pk].notes, logs[old.pk].latitude) == ("", None)
    assert (logs[new.pk].notes, logs[new.pk].latitude is not None) == ("New note", True)
    assert (logs[old.pk].all_answers, logs[new.pk].all_answers) == ({"heard": True}, answers)


def test_report_dates_at_the_calendar_edges_are_not_a_500(client_for, lead_a, worked_turf):
    response = client_for(lead_a).get(
        "/api/reports/canvassers", {"date_from": "0001-01-01", "date_to": "9999-12-31"}
    )

    assert response.status_code == 200
    assert len(response.json()) == 1
