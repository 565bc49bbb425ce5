"""The response contract: every response the test suite receives under /api/ is checked against the
operation the generated OpenAPI schema documents for it (status code, content type, body).

Policy (docs/api-conventions.md, "How the contract is checked"):
- a response to a documented operation must use a status code that operation documents (there is
  no `default` response), with a documented content type and, for JSON, a body that validates
  against the documented schema; objects may not carry undocumented properties;
- a path the schema does not know answers the JSON error shape with 404, and a method the path does
  not document answers it with 405;
- a 500 is never part of the contract: it must be the JSON error shape, and it fails the test unless
  the test is marked `contract_allows_500` (the tests that provoke a crash on purpose);
- OPTIONS (CORS preflight, DRF metadata) is outside the contract.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

SKIPPED_PREFIXES = ("/api/schema/", "/api/docs/")
ERROR_SCHEMA: dict[str, Any] = {"$ref": "#/components/schemas/Error"}


class ContractError(AssertionError):
    pass


@dataclass(frozen=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    operations: dict[str, Any]


def _strict(node: Any) -> Any:
    """Forbid undocumented properties on every object schema that lists its properties, and read
    `nullable` beside `allOf`/`oneOf` as drf-spectacular writes it and the generators read it: the
    value may also be null (OpenAPI 3.0.3 would apply it to that schema object's own `type` only)."""
    if isinstance(node, dict):
        out = {key: _strict(value) for key, value in node.items()}
        if (
            out.get("nullable") is True
            and "type" not in out
            and {"allOf", "oneOf", "anyOf"} & set(out)
        ):
            rest = {key: value for key, value in out.items() if key != "nullable"}
            return {"anyOf": [rest, {"enum": [None]}]}
        if (
            out.get("type") == "object"
            and "properties" in out
            and "additionalProperties" not in out
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_strict(item) for item in node]
    return node


@cache
def schema() -> dict[str, Any]:
    """The schema as `/api/schema/?format=json` serves it, generated once per test process."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


@cache
def _components() -> dict[str, Any]:
    return _strict(copy.deepcopy(schema()["components"]))


@cache
def routes() -> tuple[Route, ...]:
    found = []
    for template, item in schema()["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        operations = {
            method.upper(): operation
            for method, operation in item.items()
            if method in ("get", "put", "post", "delete", "patch", "head")
        }
        found.append(Route(template, re.compile(f"^{regex}$"), operations))
    # A literal path (/api/turfs/auto-cut) wins over a template that also matches it.
    found.sort(key=lambda route: (route.template.count("{"), -len(route.template)))
    return tuple(found)


def route_for(path: str) -> Route | None:
    for route in routes():
        if route.pattern.match(path):
            return route
    return None


@cache
def _validator(body_schema_json: str) -> OAS30ReadValidator:
    root = {"allOf": [_strict(json.loads(body_schema_json))], "components": _components()}
    return OAS30ReadValidator(root, format_checker=oas30_format_checker)


def validate_body(instance: Any, body_schema: dict[str, Any], where: str) -> None:
    validator = _validator(json.dumps(body_schema, sort_keys=True))
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  at {'/'.join(str(p) for p in e.absolute_path) or '(body)'}: {e.message[:300]}"
            for e in errors[:10]
        ]
        raise ContractError(f"{where}: the body does not match the schema:\n" + "\n".join(lines))


def _media_type(response: Any) -> str:
    return (response.get("Content-Type") or "").split(";")[0].strip().lower()


def _json_body(response: Any, where: str) -> Any:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]
    else:
        content = response.content
    if response.get("Content-Encoding") == "gzip":  # the API gzips when the client accepts it
        content = gzip.decompress(content)
    try:
        return json.loads(content)
    except ValueError as exc:
        raise ContractError(f"{where}: the body is not JSON: {content[:200]!r}") from exc


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _expect_error(response: Any, status: int, where: str) -> None:
    if response.status_code != status:
        raise ContractError(f"{where}: answered {response.status_code}, expected {status}")
    if not _is_json(_media_type(response)):
        raise ContractError(f"{where}: error answered as {_media_type(response)!r}, not JSON")
    validate_body(_json_body(response, where), ERROR_SCHEMA, where)


def check_response(method: str, path: str, response: Any, *, allow_500: bool = False) -> None:
    """Raise ContractError when `response` to `method path` is not what the schema documents."""
    method = method.upper()
    if not path.startswith("/api/") or path.startswith(SKIPPED_PREFIXES) or method == "OPTIONS":
        return
    where = f"{method} {path} -> {response.status_code}"
    if response.status_code == 500:
        _expect_error(response, 500, where)
        if not allow_500:
            raise ContractError(f"{where}: a 500 is never part of the contract")
        return
    route = route_for(path)
    if route is None:
        _expect_error(response, 404, where + " (path not in the schema)")
        return
    operation = route.operations.get("GET" if method == "HEAD" else method)
    if operation is None:
        _expect_error(response, 405, where + " (method not in the schema)")
        return
    where = f"{method} {route.template} [{operation['operationId']}] -> {response.status_code}"
    documented = operation.get("responses", {})
    entry = documented.get(str(response.status_code))
    if entry is None:
        raise ContractError(
            f"{where}: status {response.status_code} is not documented "
            f"(documented: {', '.join(sorted(documented))})"
        )
    content = entry.get("content") or {}
    if not content:
        if method != "HEAD" and (getattr(response, "streaming", False) or response.content):
            raise ContractError(f"{where}: documented without a body, but answered one")
        return
    media_type = _media_type(response)
    if media_type not in content:
        raise ContractError(
            f"{where}: content type {media_type!r} is not documented "
            f"(documented: {', '.join(sorted(content))})"
        )
    if method == "HEAD" or not _is_json(media_type):
        return
    body_schema = content[media_type].get("schema")
    if body_schema is not None:
        validate_body(_json_body(response, where), body_schema, where)
