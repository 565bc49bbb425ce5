"""Conditional GETs for downloads a canvasser repeats on poor signal (walk lists, sync pulls).

A response carries a strong ETag: an HMAC (keyed by SECRET_KEY) of the user, the full request
path and the rendered body, so it reveals nothing about the content and differs between users.
A request whose If-None-Match holds that tag gets 304 with no body. The personal data in these
bodies is never stored by shared caches: `Cache-Control: private, no-store`.
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

PERSONAL_CACHE_CONTROL = "private, no-store"
# The gzip middleware marks the compressed representation's tag with this suffix (a strong tag
# must differ between encodings); a request presenting either form matches.
GZIP_SUFFIX = "-gzip"

# For the views' schemas: the request header and the bodiless answer.
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of the copy the client holds; unchanged, the answer is 304.",
)
NOT_MODIFIED = OpenApiResponse(
    description="Not Modified: the ETag in If-None-Match is current; no body, keep the copy."
)


def etag_for(request: Request, data: Any) -> str:
    body = JSONRenderer().render(data)
    key = f"{request.user.pk}\n{request.get_full_path()}\n".encode() + body
    return (
        '"' + salted_hmac("backend.api.conditional", key, algorithm="sha256").hexdigest()[:32] + '"'
    )


def if_none_match(request: Request, tag: str) -> bool:
    """Whether If-None-Match names `tag` (weak comparison, as RFC 9110 asks for this header)."""
    header = request.headers.get("If-None-Match", "")
    for candidate in (part.strip() for part in header.split(",")):
        if candidate == "*":
            return True
        candidate = candidate.removeprefix("W/")
        if candidate.endswith(GZIP_SUFFIX + '"'):
            candidate = candidate[: -len(GZIP_SUFFIX) - 1] + '"'
        if candidate == tag:
            return True
    return False


def conditional_response(request: Request, data: Any, *, etag_data: Any = None) -> Response:
    """`data` as a 200 with its ETag, or a bodiless 304 when the client already holds it.

    `etag_data` (default: `data`) is what the tag is computed over: a sync pull leaves out its
    fresh cursor, so an unchanged page keeps its tag and the client keeps the cursor it stored.
    """
    tag = etag_for(request, data if etag_data is None else etag_data)
    response = Response(status=304) if if_none_match(request, tag) else Response(data)
    response["ETag"] = tag
    response["Cache-Control"] = PERSONAL_CACHE_CONTROL
    return response
