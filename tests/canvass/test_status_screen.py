"""The status screen, table-driven: English and Spanish notes that must be refused and notes that
must pass, through the sync push and the canvasser's correction (HTTP in, database checked)."""

from __future__ import annotations

import pytest

from canvass.models import ConversationLog
from canvass.notes import REPHRASE_MESSAGE, mentions_immigration_status
from tests.canvass.conftest import batch, doors, log_item

pytestmark = pytest.mark.django_db

REFUSED = [
    # English: plurals, inflections, compounds, spacing, case.
    "She is undocumented",
    "both parents are Undocumented",
    "un-documented family",
    "worried about deportations",
    "Son was deported last year",
    "afraid of deporting",
    "has a green card",
    "green-card holder",
    "greencard pending",
    "Green  Cards for the whole family",
    "greencardholder since 2010",
    "talked about the illegals next door",
    "called them illegal aliens",
    "illegal-alien comment",
    "asked about his visa",
    "both visas expired",
    "is on DACA",
    "D.A.C.A. recipient",
    "DACAmented and proud",
    "ICE came by",
    "scared of I.C.E.",
    "waiting on citizenship",
    "non-citizen voter question",
    "noncitizen",
    "immigration status unclear",
    "seeking asylum",
    "anti-deportation rally",
    # Spanish: gender, plural, accents, spacing.
    "Es indocumentada",
    "sus hijos son indocumentados",
    "vive sin papeles",
    "sin-papeles desde 2015",
    "ciudadanía pendiente",
    "no son ciudadanos",
    "ella no es ciudadana",
    "tiene miedo de la migra",
    "su esposo fue deportado",
    "las deportadas",
    "la deportación de su hermano",
    "habló de deportaciones",
    "son ilegales",
    "llegó sin documentos",
    "pidió asilo",
    "estatus migratorio",
]

PASS = [
    "paid with a visa card",
    "Paid with a VISA card at the bake sale",
    "uses a Visa debit card",
    "wants to pay by visa",
    "Loves ice cream; wants a yard sign",
    "ICE CREAM social on Friday",
    "the ice storm knocked the power out",
    "complained about illegal parking on the street",
    "illegally parked truck blocks the driveway",
    "nice dog, friendly",
    "Iced tea offered",
    "green house on the corner with a red card in the window",
    "card game night, green door",
    "citizen of the month award from the school",
    "documented the broken sidewalk for the city",
    "big sports fan",
    "lives in a residential area",
    "zonas residenciales, mucho tráfico",
    "le gustan los deportes",
    "es deportista",
    "su madre vive en una residencia de ancianos",
    "lugar de residencia: Des Moines",
    "el asilo de ancianos está cerca",
    "tiene migraña",
    "vive con sus papás",
    "papeleo del seguro médico",
    "supports the candidate, will caucus",
    "Apoya al candidato, irá al caucus",
    "Prefers Spanish, call after 6",
    "no está en casa, volver el sábado",
    "undecided, asked about healthcare",
    "visited the dentist today",
    "vista del parque desde la casa",
    "asked about data privacy",
    "Visited by Vi Sanchez earlier",
    "the green-house effect worries her",
    "she is a proud citizen of Des Moines",
    "card-carrying union member",
    "Su hija estudia en la universidad",
    "no quiere papeles de propaganda",
    "llamar a su esposa mañana",
    "trabaja en el aeropuerto, horario de noche",
    "asks whether the caucus site has ramps",
]

TABLE = [(note, True) for note in REFUSED] + [(note, False) for note in PASS]


def test_the_table_is_balanced_and_large_enough():
    assert len(TABLE) >= 60
    assert abs(len(REFUSED) - len(PASS)) <= 2


@pytest.mark.parametrize(("note", "refused"), TABLE, ids=[n for n, _ in TABLE])
def test_status_screen_rule(note, refused):
    assert mentions_immigration_status(note) is refused


def test_the_push_refuses_and_keeps_exactly_the_table(client_for, canvasser_a, turf_a):
    door = doors(turf_a)[0]
    items = [log_item(door, notes=note) for note, _ in TABLE]

    response = client_for(canvasser_a).post("/api/sync/push", batch(*items), format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created"] * len(TABLE)
    warned = [r.get("warnings") == {"notes": [REPHRASE_MESSAGE]} for r in results]
    assert warned == [refused for _, refused in TABLE]
    stored = {
        str(log.client_uuid): log.notes for log in ConversationLog.objects.filter(household=door)
    }
    assert [stored[item["client_uuid"]] for item in items] == [
        "" if refused else note for note, refused in TABLE
    ]


def test_a_correction_is_screened_the_same_way(client_for, canvasser_a, turf_a):
    door = doors(turf_a)[0]
    client = client_for(canvasser_a)
    item = log_item(door, notes="paid with a visa card")
    client.post("/api/sync/push", batch(item), format="json")
    log = ConversationLog.objects.get(client_uuid=item["client_uuid"])

    refused = client.patch(f"/api/logs/{log.pk}", {"notes": "sus hijos son indocumentados"})
    kept = client.patch(f"/api/logs/{log.pk}", {"notes": "le gustan los deportes"})

    assert refused.json()["warnings"] == {"notes": [REPHRASE_MESSAGE]}
    assert kept.status_code == 200 and kept.json()["warnings"] == {}
    log.refresh_from_db()
    assert log.notes == "le gustan los deportes"
