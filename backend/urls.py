from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend.api import health

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("backend.accounts.api.urls")),
    path("", include("backend.audit.api.urls")),
    path("", include("backend.privacy.api.urls")),
    path("", include("canvass.api.urls")),
    path("", include("events.api.urls")),
    path("", include("messaging.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

# The field console: server-rendered pages for field leads and organizers, one namespace.
console_patterns: list[URLPattern | URLResolver] = [
    path("", include("backend.console.urls")),
    path("", include("canvass.console.urls")),
    path("", include("events.console.urls")),
    path("", include("messaging.console.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("console/", include((console_patterns, "console"))),
    # The console's language switch (Django's set_language view, POST with CSRF).
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "backend.api.errors.handler400"
handler403 = "backend.api.errors.handler403"
handler404 = "backend.api.errors.handler404"
handler500 = "backend.api.errors.handler500"
