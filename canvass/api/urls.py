from django.urls import URLPattern, URLResolver, path

from canvass.api import sync_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("voters/import", views.VoterImportView.as_view(), name="voters-import"),
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
]
