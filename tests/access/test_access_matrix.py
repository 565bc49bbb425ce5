"""Every route, method and role gets exactly the outcome in the tables; no existence oracle."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.access
from tests.access.framework import ROLES, Route, api_patterns, fill


def all_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for module_info in pkgutil.iter_modules(tests.access.__path__):
        if module_info.name.startswith("routes_"):
            module = importlib.import_module(f"tests.access.{module_info.name}")
            for route in module.ROUTES:
                assert route.pattern not in routes, f"{route.pattern} listed twice"
                routes[route.pattern] = route
    return routes


ROUTES = all_routes()
CASES = [
    (pattern, method, role)
    for pattern, route in ROUTES.items()
    for method in route.methods
    for role in ROLES
]
OBJECT_CASES = [
    (pattern, method, role)
    for pattern, route in ROUTES.items()
    if route.other_kwargs is not None
    for method in route.methods
    for role in ("field_lead", "canvasser")
]


def test_every_api_route_has_an_access_entry():
    missing = [p for p in api_patterns() if p not in ROUTES]
    stale = [p for p in ROUTES if p not in api_patterns()]

    assert missing == [], f"routes without an access-matrix entry: {missing}"
    assert stale == [], f"access-matrix entries for routes that no longer exist: {stale}"


def call(cast, route: Route, method: str, role: str, kwargs: dict) -> int:
    client = cast.clients[role]
    path = fill(route.pattern, kwargs)
    body = route.body(cast) if route.body else None
    response = (
        getattr(client, method.lower())(path, body, format="json")
        if method != "GET"
        else client.get(path, route.query)
    )
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "method", "role"), CASES)
def test_route_gives_each_role_its_outcome(cast, pattern, method, role):
    route = ROUTES[pattern]
    kwargs = route.kwargs(cast) if route.kwargs else {}

    assert call(cast, route, method, role, kwargs) == route.methods[method][role]


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "method", "role"), OBJECT_CASES)
def test_another_teams_object_answers_like_a_missing_one(cast, pattern, method, role):
    route = ROUTES[pattern]

    other = call(cast, route, method, role, route.other_kwargs(cast))
    missing = call(cast, route, method, role, route.missing_kwargs)

    assert other == missing
    assert other in (403, 404)
