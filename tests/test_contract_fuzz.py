"""Contract fuzzing: schemathesis generates requests from our own OpenAPI schema and checks every
response (no 5xx, status codes and content types documented, bodies match their schemas,
invalid data rejected, missing auth refused), for each role, in-process through the WSGI app.

One default check is narrowed, not dropped: schemathesis's `positive_data_acceptance` fails any
400 to a schema-valid request, but a schema cannot say "this team id must exist" or "this must be
a real, text-capable phone number", so such semantic refusals are legitimate 400s here. Our
`shape_of_valid_data_accepted` check still fails a schema-valid request refused for its *shape*
(a missing required field, a wrong type, a value out of the documented range or choices): that
is the schema lying, which is what the original check is there to catch.

CI runs a bounded number of examples per operation (FUZZ_EXAMPLES, default 8); `make fuzz` runs
many more.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.management.base import OutputWrapper
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_schema_validator import OAS30WriteValidator, oas30_format_checker
from schemathesis.specs.openapi.checks import positive_data_acceptance

from backend.accounts.models import Team, User
from backend.accounts.services import token_issue
from backend.wsgi import application
from tests import contract

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# CI fuzzes as anonymous (every route must refuse or serve the public) and as organizer (every
# route is reachable, so every body and response is exercised); the access matrix covers the other
# roles route by route. `make fuzz` runs all four roles with many more examples.
ROLES = os.environ.get("FUZZ_ROLES", "anonymous,organizer").split(",")

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Operations that change who is logged in would end the fuzzing session's own token.
# DRF's messages for shape errors: if one of these answers a schema-valid request, the schema and
# the serializer disagree.
SHAPE_MESSAGES = (
    "This field is required.",
    "Expected a",
    "Not a valid",
    "Ensure this",
    "A valid integer is required",
    "A valid number is required",
    "Must be a valid boolean",
    "is not a valid choice",
    "This field may not be blank",
    "This field may not be null",
    "Invalid data. Expected a dictionary",
    "Expected a list of items",
)


def _body_is_schema_valid(case) -> bool:  # type: ignore[no-untyped-def]
    """Whether the generated body really satisfies the served schema. The generator is not
    perfect with patterns (it produced "\x1f" for a label whose pattern refuses it), and such a
    body says nothing about our schema."""
    operation = contract.schema()["paths"][case.operation.path][case.method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    body_schema = content.get("application/json", {}).get("schema")
    if body_schema is None or not isinstance(case.body, dict | list):
        return True
    root = {"allOf": [body_schema], "components": contract.schema()["components"]}
    return OAS30WriteValidator(root, format_checker=oas30_format_checker).is_valid(case.body)


def shape_of_valid_data_accepted(ctx, response, case):  # type: ignore[no-untyped-def]
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    if not _body_is_schema_valid(case):
        return None
    try:
        fields = response.json()["error"]["fields"]
    except (ValueError, KeyError, TypeError):
        return None
    shape_errors = {
        name: messages
        for name, messages in fields.items()
        if any(marker in message for message in messages for marker in SHAPE_MESSAGES)
    }
    if shape_errors:
        raise AssertionError(f"Schema-valid request refused for its shape: {shape_errors}")
    return None


SESSION_ENDING = {("POST", "/api/auth/logout"), ("POST", "/api/auth/logout-all")}


@pytest.fixture
def _keep_test_connection():
    """In-process WSGI calls would close the test's database connection at each request's end
    (CONN_MAX_AGE); Django's own test client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def seed_small_world() -> None:
    """The demo people plus one of each object, so generated ids often hit something real.

    (Far cheaper than the full seed_demo, which imports every Iowa site, for every test.)
    """
    from django.utils import timezone

    from backend.accounts import demo as accounts_demo
    from events.models import Event, EventKind, Location, Shift, ShiftRole
    from events.services.signups import signup_create

    accounts_demo.load_people(OutputWrapper(open(os.devnull, "w")))  # noqa: SIM115
    team = Team.objects.get(name=accounts_demo.DEMO_TEAM)
    location = Location.objects.create(
        name="Fuzz site",
        address="1 MAIN ST",
        city="DES MOINES",
        county="Polk",
        zip_code="50309",
        latitude=41.5868,
        longitude=-93.6250,
    )
    starts = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        title="Fuzz caucus night",
        kind=EventKind.CAUCUS_NIGHT,
        location=location,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        team=team,
        is_public=True,
    )
    shift = Shift.objects.create(
        event=event,
        role=ShiftRole.CANVASSER,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=3,
    )
    signup_create(shift_id=shift.pk, name="Fuzz Volunteer", phone="+15155550177", sms_consent=True)


@pytest.fixture
def role_headers(_keep_test_connection, db) -> dict[str, dict[str, str]]:
    """A small seeded world plus a bearer token per role."""
    seed_small_world()
    headers = {"anonymous": {}}
    for username in ("organizer", "fieldlead", "canvasser1"):
        user = User.objects.get(username=username)
        headers[user.role] = {
            "Authorization": f"Bearer {token_issue(user=user, device='fuzz').token}"
        }
    return headers


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_api_honours_its_contract(case, role, role_headers):
    if (case.method.upper(), case.path) in SESSION_ENDING and role != "anonymous":
        headers = {
            "Authorization": f"Bearer {token_issue(user=User.objects.get(username='canvasser2'), device='x').token}"
        }
    else:
        headers = role_headers[role]
    # In-process WSGI calls get the body as sent; gzip is covered in tests/test_payloads.py.
    case.call_and_validate(
        headers={**headers, "Accept-Encoding": "identity"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[shape_of_valid_data_accepted],
    )
