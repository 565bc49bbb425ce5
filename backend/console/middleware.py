"""The console's language, and only the console's: the API keeps answering in English whatever a
client's Accept-Language says (its messages are a documented contract)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

CONSOLE_PREFIXES = ("/console/", "/i18n/")


class ConsoleLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (the session's choice from the language switch, else
    Accept-Language) under /console/ and /i18n/; the default language everywhere else."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(CONSOLE_PREFIXES):
            super().process_request(request)
        else:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.path.startswith(CONSOLE_PREFIXES):
            return super().process_response(request, response)  # type: ignore[arg-type]
        return response
