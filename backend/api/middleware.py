"""Request guards that run before any view parses a body."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.gzip import GZipMiddleware

from backend.api.conditional import GZIP_SUFFIX
from backend.api.errors import error_body
from backend.errors import ErrorCode
from backend.text import BAD_TEXT


class RequestSizeLimitMiddleware:
    """Refuse bodies over MAX_REQUEST_BYTES (MAX_UPLOAD_BYTES for multipart uploads) with 413.

    DRF's JSON parser reads the whole stream without Django's DATA_UPLOAD_MAX_MEMORY_SIZE check,
    so the limit is enforced here, from Content-Length, before anything is read or written.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(
                error_body(ErrorCode.BAD_REQUEST, "Invalid Content-Length header."), status=400
            )
        is_upload = request.content_type == "multipart/form-data"
        limit = settings.MAX_UPLOAD_BYTES if is_upload else settings.MAX_REQUEST_BYTES
        if length > limit:
            return JsonResponse(
                error_body(
                    ErrorCode.PAYLOAD_TOO_LARGE,
                    f"Request body is {length} bytes; the limit is {limit} bytes.",
                    limit_bytes=limit,
                ),
                status=413,
            )
        return self.get_response(request)


class BadTextMiddleware:
    """400 for an empty query parameter (`?zip=`: a client bug, not "no filter"), and for NUL
    characters or lone surrogates in the path or query string."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        empty = [key for key, values in request.GET.lists() if any(v.strip() == "" for v in values)]
        if empty:
            return JsonResponse(
                error_body(
                    ErrorCode.INVALID,
                    f"{empty[0]}: This parameter may not be empty.",
                    {name: ["This parameter may not be empty."] for name in empty},
                ),
                status=400,
            )
        if BAD_TEXT.search(request.path) or any(
            BAD_TEXT.search(key) or any(BAD_TEXT.search(v) for v in values)
            for key, values in request.GET.lists()
        ):
            return JsonResponse(
                error_body(
                    ErrorCode.BAD_REQUEST,
                    "Text may not contain NUL characters or unpaired surrogates.",
                ),
                status=400,
            )
        return self.get_response(request)


class ApiGZipMiddleware(GZipMiddleware):
    """Gzip API JSON when the client accepts it, never a response that sets a cookie or any HTML.

    BREACH recovers a secret from the size of compressed responses that also reflect attacker
    input: the console's HTML carries CSRF tokens and session cookies, so only /api/ bodies in
    JSON, GeoJSON or CSV (bearer-token authenticated, no CSRF token) are compressed. Django's
    middleware also pads the gzip header with random bytes. A strong ETag stays strong and gets
    a `-gzip` suffix (backend/api/conditional.py accepts both forms in If-None-Match).
    """

    COMPRESSED_TYPES = ("application/json", "application/geo+json", "text/csv")

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        content_type = response.get("Content-Type", "")
        if (
            not request.path.startswith("/api/")
            or response.cookies
            or not content_type.startswith(self.COMPRESSED_TYPES)
        ):
            return response
        etag = response.get("ETag", "")
        response = super().process_response(request, response)
        if response.get("Content-Encoding") == "gzip" and etag.startswith('"'):
            response.headers["ETag"] = etag[:-1] + GZIP_SUFFIX + '"'
        return response
