from django.urls import URLPattern, URLResolver, path

from canvass.api import import_views, log_views, sync_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("voters/import", import_views.VoterImportView.as_view(), name="voters-import"),
    path("locations/import", import_views.SiteImportView.as_view(), name="locations-import"),
    path("imports/<int:pk>", import_views.ImportJobView.as_view(), name="import-job"),
    path(
        "households/geocode-pending",
        import_views.GeocodePendingView.as_view(),
        name="households-geocode-pending",
    ),
    path(
        "households/<int:pk>/place",
        import_views.HouseholdPlaceView.as_view(),
        name="household-place",
    ),
    path("households", views.HouseholdListView.as_view(), name="households"),
    path("precincts", views.PrecinctListView.as_view(), name="precincts"),
    path("turfs", views.TurfListCreateView.as_view(), name="turfs"),
    path("turfs/auto-cut", views.TurfAutoCutView.as_view(), name="turfs-auto-cut"),
    path("turfs/<int:pk>", views.TurfDetailView.as_view(), name="turf-detail"),
    path("turfs/<int:pk>.geojson", views.TurfGeoJSONView.as_view(), name="turf-geojson"),
    path("turfs/<int:pk>/status", views.TurfStatusView.as_view(), name="turf-status"),
    path("turfs/<int:pk>/walk-order", views.TurfWalkOrderView.as_view(), name="turf-walk-order"),
    path("turfs/<int:pk>/walk-list", views.TurfWalkListView.as_view(), name="turf-walk-list"),
    path(
        "turfs/<int:pk>/assignments", views.TurfAssignmentsView.as_view(), name="turf-assignments"
    ),
    path(
        "turfs/<int:pk>/assignments/<int:canvasser_id>",
        views.TurfUnassignView.as_view(),
        name="turf-unassign",
    ),
    path("me/turfs", views.MyTurfsView.as_view(), name="my-turfs"),
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
