from django.urls import URLPattern, path

from canvass.console import views

urlpatterns: list[URLPattern] = [
    path("imports", views.imports, name="imports"),
    path("imports/<int:pk>", views.import_job, name="import-job"),
    path("imports/<int:pk>/status", views.import_job_status, name="import-job-status"),
    path("map", views.turf_map, name="turf-map"),
    path("turfs", views.turfs, name="turfs"),
    path("turfs/table", views.turfs_table, name="turfs-table"),
    path("turfs/draw", views.turf_draw, name="turf-draw"),
    path("turfs/auto-cut", views.turf_auto_cut, name="turf-auto-cut"),
    path("turfs/<int:pk>", views.turf, name="turf"),
    path("turfs/<int:pk>/progress", views.turf_progress_block, name="turf-progress"),
    path("turfs/<int:pk>/assign", views.turf_assign, name="turf-assign"),
    path("turfs/<int:pk>/unassign/<int:canvasser_id>", views.turf_unassign, name="turf-unassign"),
    path("review", views.review, name="review"),
    path("review/<int:pk>", views.review_act, name="review-act"),
    path("readiness", views.readiness_board, name="readiness"),
    path("incidents", views.incidents, name="incidents"),
    path("incidents/<int:pk>", views.incident, name="incident"),
    path("incidents/<int:pk>/lift", views.incident_lift_view, name="incident-lift"),
    path("endorsements", views.endorsements, name="endorsements"),
    path("endorsements/<int:pk>", views.endorsement, name="endorsement"),
    path(
        "endorsements/<int:pk>/hide",
        views.endorsement_moderate,
        {"action": "hide"},
        name="endorsement-hide",
    ),
    path(
        "endorsements/<int:pk>/restore",
        views.endorsement_moderate,
        {"action": "restore"},
        name="endorsement-restore",
    ),
]
