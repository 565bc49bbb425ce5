"""No list, filter, page or count shows a role of team A anything of team B.

Every list route comes from the URL resolver: a GET route without URL kwargs, a DRF list view,
a CSV export, or a route whose organizer answer holds a list. Each must have a `Listing` in
`tests/access/listings.py`; a new one without it fails `test_every_list_route_has_a_listing`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import resolve
from rest_framework.mixins import ListModelMixin

from tests.access.framework import ROLES, api_patterns, fill
from tests.access.listings import LISTINGS, TEAM_B_MARKERS, Listing, seed_world
from tests.access.test_access_matrix import ROUTES

LISTED = {listing.pattern: listing for listing in LISTINGS}
# Routes that answer one thing, not a list (checked by the access matrix only).
NOT_LISTS = {"api/schema/": "the OpenAPI document", "api/docs/": "the Swagger page"}
TEAM_A_ROLES = ("field_lead", "canvasser")


def _gets() -> list[str]:
    return [p for p, route in ROUTES.items() if "GET" in route.methods]


def _is_list_view(path: str) -> bool:
    view = resolve(path.split("?")[0]).func
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    return view_class is not None and issubclass(view_class, ListModelMixin)


@pytest.fixture
def world(cast, client_for):
    seed_world(cast)
    cast.clients["field_lead_b"] = client_for(cast.lead_b)
    cast.clients["canvasser_b"] = client_for(cast.canvasser_b)
    return cast


def _pages(client: Any, path: str, query: dict[str, Any]) -> tuple[int, list[str], bool]:
    """(first status, every page's text, whether the paginated count matched the rows)."""
    response = client.get(path, {**query, "page_size": 1})
    status, texts, rows, count = response.status_code, [], 0, None
    while response.status_code == 200:
        text = b"".join(response.streaming_content if response.streaming else [response.content])
        texts.append(text.decode())
        body = _json(response, texts[-1])
        if not (isinstance(body, dict) and isinstance(body.get("results"), list)):
            break
        count = body["count"]
        rows += len(body["results"])
        if not body.get("next"):
            break
        assert len(texts) < 50, f"{path} pages without end"
        response = client.get(body["next"])
    return status, texts, count is None or count == rows


def _json(response: Any, text: str) -> Any:
    if "json" not in response.get("Content-Type", ""):
        return None
    return json.loads(text)


def _leaks(texts: list[str]) -> list[str]:
    return sorted({marker for text in texts for marker in TEAM_B_MARKERS if marker in text})


def _holds_a_list(response: Any) -> bool:
    if "csv" in response.get("Content-Type", ""):
        return True
    body = _json(response, response.content.decode()) if not response.streaming else None
    if isinstance(body, list):
        return True
    return isinstance(body, dict) and any(
        isinstance(value, list) and value and isinstance(value[0], dict) for value in body.values()
    )


@pytest.mark.django_db
def test_every_list_route_has_a_listing(world):
    organizer = world.clients["organizer"]
    lists = []
    for pattern in _gets():
        if pattern in NOT_LISTS:
            continue
        route = ROUTES[pattern]
        kwargs = route.kwargs(world) if route.kwargs else {}
        path = fill(pattern, kwargs)
        response = organizer.get(path, route.query)
        if "<" not in pattern or _is_list_view(path) or _holds_a_list(response):
            lists.append(pattern)

    missing = [p for p in lists if p not in LISTED]
    stale = [p for p in LISTED if p not in api_patterns()]

    assert missing == [], f"list routes without a Listing in tests/access/listings.py: {missing}"
    assert stale == [], f"Listings for routes that no longer exist: {stale}"


SCOPED = [listing for listing in LISTINGS if not listing.shared]


@pytest.mark.django_db
@pytest.mark.parametrize("listing", SCOPED, ids=[listing.pattern for listing in SCOPED])
def test_no_list_shows_another_teams_objects(world, listing: Listing):
    route = ROUTES[listing.pattern]
    path = fill(listing.pattern, listing.kwargs(world) if listing.kwargs else {})
    seen_by: dict[str, list[str]] = {}
    for role in (*ROLES, "field_lead_b", "canvasser_b"):
        texts: list[str] = []
        for make_filter in listing.filters:
            _, pages, count_matches = _pages(
                world.clients[role], path, {**route.query, **make_filter(world)}
            )
            assert count_matches, f"{role}: count differs from the rows on {path}"
            texts += pages
        seen_by[role] = _leaks(texts)

    assert {role: seen_by[role] for role in TEAM_A_ROLES} == {r: [] for r in TEAM_A_ROLES}
    # The check could fail: team B's markers do reach this list for someone allowed to see it.
    team_a_reads = any(route.methods["GET"][role] == 200 for role in TEAM_A_ROLES)
    if listing.no_markers or not team_a_reads:
        return
    if listing.other_kwargs is not None:
        other_path = fill(listing.pattern, listing.other_kwargs(world))
        _, texts, _ = _pages(world.clients["organizer"], other_path, route.query)
        reached = _leaks(texts)
    else:
        reached = sorted(
            {m for role in ("organizer", "field_lead_b", "canvasser_b") for m in seen_by[role]}
        )
    assert reached, f"no marker of team B reaches {listing.pattern}: the check would be empty"
