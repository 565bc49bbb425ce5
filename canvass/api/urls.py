from django.urls import URLPattern, URLResolver, path

from canvass.api import log_views, sync_views
from canvass.api.views import geocoding, households, imports, precincts, turf

urlpatterns: list[URLPattern | URLResolver] = [
    path("voters/import", imports.VoterImportView.as_view(), name="voters-import"),
    path("locations/import", imports.SiteImportView.as_view(), name="locations-import"),
    path("imports/<int:pk>", imports.ImportJobView.as_view(), name="import-job"),
    path(
        "households/geocode-pending",
        geocoding.GeocodePendingView.as_view(),
        name="households-geocode-pending",
    ),
    path(
        "households/<int:pk>/place",
        geocoding.HouseholdPlaceView.as_view(),
        name="household-place",
    ),
    path("households", households.HouseholdListView.as_view(), name="households"),
    path("precincts", precincts.PrecinctListView.as_view(), name="precincts"),
    path("turfs", turf.TurfListCreateView.as_view(), name="turfs"),
    path("turfs/auto-cut", turf.TurfAutoCutView.as_view(), name="turfs-auto-cut"),
    path("turfs/<int:pk>", turf.TurfDetailView.as_view(), name="turf-detail"),
    path("turfs/<int:pk>.geojson", turf.TurfGeoJSONView.as_view(), name="turf-geojson"),
    path("turfs/<int:pk>/status", turf.TurfStatusView.as_view(), name="turf-status"),
    path("turfs/<int:pk>/walk-order", turf.TurfWalkOrderView.as_view(), name="turf-walk-order"),
    path("turfs/<int:pk>/walk-list", turf.TurfWalkListView.as_view(), name="turf-walk-list"),
    path("turfs/<int:pk>/assignments", turf.TurfAssignmentsView.as_view(), name="turf-assignments"),
    path(
        "turfs/<int:pk>/assignments/<int:canvasser_id>",
        turf.TurfUnassignView.as_view(),
        name="turf-unassign",
    ),
    path("me/turfs", turf.MyTurfsView.as_view(), name="my-turfs"),
    path("sync/push", sync_views.SyncPushView.as_view(), name="sync-push"),
    path("sync/pull", sync_views.SyncPullView.as_view(), name="sync-pull"),
    path("sync/readiness", log_views.ReadinessView.as_view(), name="sync-readiness"),
    path("scripts", log_views.ScriptListCreateView.as_view(), name="scripts"),
    path("scripts/<int:pk>", log_views.ScriptDetailView.as_view(), name="script-detail"),
    path("turfs/<int:pk>/script", log_views.TurfScriptView.as_view(), name="turf-script"),
    path("turfs/<int:pk>/progress", log_views.TurfProgressView.as_view(), name="turf-progress"),
    path("logs/review", log_views.ReviewQueueView.as_view(), name="logs-review"),
    path("logs/export.csv", log_views.LogExportView.as_view(), name="logs-export"),
    path("logs/<int:pk>", log_views.OwnLogView.as_view(), name="log-detail"),
    path("logs/<int:pk>/review", log_views.LogReviewView.as_view(), name="log-review"),
    path("logs/<int:pk>/history", log_views.LogHistoryView.as_view(), name="log-history"),
    path(
        "households/<int:pk>/flags/clear",
        log_views.HouseholdFlagsClearView.as_view(),
        name="household-flags-clear",
    ),
    path("reports/canvassers", log_views.CanvasserReportView.as_view(), name="report-canvassers"),
    path("reports/precincts", log_views.PrecinctReportView.as_view(), name="report-precincts"),
    path("volunteer-leads", log_views.VolunteerLeadsView.as_view(), name="volunteer-leads"),
]
