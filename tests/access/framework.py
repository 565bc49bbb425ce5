"""The access matrix: every API route, every role, the expected outcome.

Each app keeps its own table (`tests/access/routes_*.py`) of `Route`s. `test_access_matrix.py`
fails when a URL pattern has no entry, checks every (route, method, role) against the table, and
for routes on a team's object checks that another team's object answers exactly like an id that
does not exist (404, no existence oracle), for read and write methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anonymous", "organizer", "field_lead", "canvasser")

# Shorthands for the usual shapes of a row.
ORGANIZER_ONLY = {"anonymous": 401, "organizer": 200, "field_lead": 403, "canvasser": 403}
STAFF_ONLY = {"anonymous": 401, "organizer": 200, "field_lead": 200, "canvasser": 403}
ANY_ROLE = {"anonymous": 401, "organizer": 200, "field_lead": 200, "canvasser": 200}
CANVASSER_ONLY = {"anonymous": 401, "organizer": 403, "field_lead": 403, "canvasser": 200}
PUBLIC = {"anonymous": 200, "organizer": 200, "field_lead": 200, "canvasser": 200}


def expect(base: dict[str, int], **overrides: int) -> dict[str, int]:
    return {**base, **overrides}


@dataclass
class Route:
    """One URL pattern.

    `methods`: method -> role -> expected status for the role's own (or an allowed) object.
    `kwargs`: (cast) -> URL kwargs for an object the role may reach (built fresh per call).
    `other_kwargs`: (cast) -> URL kwargs for an object of another team (team B), if the route
    is on a team's object.
    `body`: (cast) -> JSON body for write methods (a harmless or deliberately invalid one).
    """

    pattern: str
    methods: dict[str, dict[str, int]]
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    other_kwargs: Callable[[Any], dict[str, Any]] | None = None
    body: Callable[[Any], Any] | None = None
    missing_kwargs: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)


def api_patterns() -> list[str]:
    """Every routed URL pattern under api/, as strings like 'api/users/<int:pk>'."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append(prefix + str(entry.pattern))

    walk(get_resolver().url_patterns, "")
    return sorted({p for p in found if p.startswith("api/")})


def fill(pattern: str, kwargs: dict[str, Any]) -> str:
    path = pattern
    for name, value in kwargs.items():
        for converter in ("int", "str", "uuid", "slug", "path"):
            path = path.replace(f"<{converter}:{name}>", str(value))
        path = path.replace(f"<{name}>", str(value))
    assert "<" not in path, f"unfilled URL kwargs in {path}"
    return "/" + path
