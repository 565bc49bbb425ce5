"""The shared cast and helpers for every test.

The cast: `organizer`; `lead_a` leads `team_a`; `canvasser_a` works in `team_a`; `lead_b` and
`canvasser_b` are `team_b`. Every permission test checks one of them against another's data.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from rest_framework.test import APIClient

from backend.accounts.models import Membership, Role, Team, User
from backend.accounts.services import token_issue

# pytest-django's live server binds here (loopback only; the port is picked free).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
# Without ../shared/data beside the clone, tests that need it skip, naming the file (not in CI).
pytest_plugins = ["tests.shared_data"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests on SQLite, with the reason; in CI they must run."""
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run on PostgreSQL: set DATABASE_URL")
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks/concurrency); set DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):  # type: ignore[no-untyped-def]
    """Every test runs with log capture at INFO (production's level); afterwards its log lines are
    scanned for phone numbers and for every personal value in the database (names, phones,
    addresses, notes), while the test's data is still there. A leak fails the test."""
    from tests.logscan import CollectingHandler, find_personal_data, personal_values_in_database

    handler = CollectingHandler()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(min(previous_level, logging.INFO))
    outcome = yield
    root.removeHandler(handler)
    root.setLevel(previous_level)
    if outcome.excinfo is not None or item.get_closest_marker("allow_personal_data_in_logs"):
        return
    uses_db = bool({"db", "transactional_db", "django_db_setup"} & set(item.fixturenames)) or bool(
        item.get_closest_marker("django_db")
    )
    values = personal_values_in_database() if uses_db and handler.lines else set()
    leaks = find_personal_data(handler.lines, values)
    if leaks:
        outcome.force_exception(
            AssertionError("Personal data reached the logs:\n" + "\n".join(leaks))
        )


@pytest.fixture(autouse=True)
def _api_contract(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every response a test client (Django's Client, DRF's APIClient) receives under /api/ is
    checked against the generated OpenAPI schema (tests/contract.py): a drift fails the test that
    caused it, at the request that showed it."""
    from django.test.client import Client

    from tests import contract

    original = Client.request
    allow_500 = request.node.get_closest_marker("contract_allows_500") is not None
    report = os.environ.get("CONTRACT_REPORT")
    from_threads: list[str] = []

    def checked(self: Client, **environ: object):  # type: ignore[no-untyped-def]
        response = original(self, **environ)
        try:
            contract.check_response(
                str(environ.get("REQUEST_METHOD", "GET")),
                str(environ.get("PATH_INFO", "")),
                response,
                allow_500=allow_500,
            )
        except contract.ContractError as exc:
            if report:
                with open(report, "a") as out:
                    out.write(f"{request.node.nodeid}\n{exc}\n\n")
            elif threading.current_thread() is threading.main_thread():
                raise
            else:
                from_threads.append(str(exc))
        return response

    Client.request = checked  # type: ignore[method-assign]
    try:
        yield
    finally:
        Client.request = original  # type: ignore[method-assign]
    if from_threads:
        pytest.fail("Responses outside the API contract:\n" + "\n".join(from_threads))


@pytest.fixture(scope="session")
def generated_client(live_server, django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A Python client generated once per session by openapi-python-client from the schema the
    live server serves, imported from a temporary directory (tests/generated_client.py)."""
    import httpx

    from tests.generated_client import generate

    with django_db_blocker.unblock():
        response = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=30)
    assert response.status_code == 200, response.text[:500]
    return generate(response.json(), tmp_path_factory.mktemp("generated_client"))


@pytest.fixture
def team_a(db: None) -> Team:
    return Team.objects.create(name="Team A")


@pytest.fixture
def team_b(db: None) -> Team:
    return Team.objects.create(name="Team B")


def _user(username: str, role: str, team: Team | None = None) -> User:
    user = User.objects.create_user(
        username=username,
        password=f"{username}-Pass-2026!",
        role=role,
        first_name=username.title(),
    )
    if team is not None:
        Membership.objects.create(team=team, user=user)
    return user


@pytest.fixture
def organizer(db: None) -> User:
    return _user("organizer", Role.ORGANIZER)


@pytest.fixture
def lead_a(team_a: Team) -> User:
    return _user("lead_a", Role.FIELD_LEAD, team_a)


@pytest.fixture
def canvasser_a(team_a: Team) -> User:
    return _user("canvasser_a", Role.CANVASSER, team_a)


@pytest.fixture
def lead_b(team_b: Team) -> User:
    return _user("lead_b", Role.FIELD_LEAD, team_b)


@pytest.fixture
def canvasser_b(team_b: Team) -> User:
    return _user("canvasser_b", Role.CANVASSER, team_b)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User | None], APIClient]:
    """An APIClient authenticated with a fresh bearer token for `user` (anonymous for None)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            issued = token_issue(user=user, device="pytest")
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
        return client

    return make


@pytest.fixture(autouse=True)
def _clear_sms_outbox() -> None:
    from backend.sms.backends import locmem

    locmem.outbox.clear()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()
