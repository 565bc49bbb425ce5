from django.urls import URLPattern, URLResolver, path

from events.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    # Public, no login
    path("public/events", views.PublicEventListView.as_view(), name="public-events"),
    path("public/events/nearby", views.NearbyEventsView.as_view(), name="public-events-nearby"),
    path("public/events/<int:pk>", views.PublicEventDetailView.as_view(), name="public-event"),
    path(
        "public/events/<int:pk>/calendar.ics",
        views.PublicEventCalendarView.as_view(),
        name="public-event-calendar",
    ),
    path("public/shifts/<int:pk>/signups", views.PublicSignupView.as_view(), name="public-signup"),
    path("public/manage-link", views.ManageLinkRequestView.as_view(), name="public-manage-link"),
    path("public/me/<str:token>", views.VolunteerPageView.as_view(), name="volunteer-page"),
    path(
        "public/me/<str:token>/calendar.ics",
        views.VolunteerCalendarView.as_view(),
        name="volunteer-calendar",
    ),
    path(
        "public/me/<str:token>/signups/<int:pk>/cancel",
        views.VolunteerCancelView.as_view(),
        name="volunteer-cancel",
    ),
    # Organizers and field leads
    path("locations", views.LocationListView.as_view(), name="locations"),
    path("locations/<int:pk>", views.LocationDetailView.as_view(), name="location"),
    path("events", views.EventListView.as_view(), name="events"),
    path("events/<int:pk>", views.EventDetailView.as_view(), name="event"),
    path("events/<int:pk>/cancel", views.EventCancelView.as_view(), name="event-cancel"),
    path("events/<int:pk>/complete", views.EventCompleteView.as_view(), name="event-complete"),
    path("me/volunteer", views.MyVolunteerView.as_view(), name="my-volunteer"),
    path("me/volunteer/verify", views.MyVolunteerVerifyView.as_view(), name="my-volunteer-verify"),
    path("events/<int:pk>/shifts", views.EventShiftsView.as_view(), name="event-shifts"),
    path("events/<int:pk>/roster", views.EventRosterView.as_view(), name="event-roster"),
    path("events/<int:pk>/roster.csv", views.EventRosterCsvView.as_view(), name="event-roster-csv"),
    path(
        "events/<int:pk>/attendance",
        views.EventBulkAttendanceView.as_view(),
        name="event-attendance",
    ),
    path("events/<int:pk>/stats", views.EventStatsView.as_view(), name="event-stats"),
    path("shifts/<int:pk>", views.ShiftDetailView.as_view(), name="shift"),
    path("shifts/<int:pk>/cancel", views.ShiftCancelView.as_view(), name="shift-cancel"),
    path("shifts/<int:pk>/roster", views.ShiftRosterView.as_view(), name="shift-roster"),
    path("shifts/<int:pk>/signups", views.ShiftSignupCreateView.as_view(), name="shift-signups"),
    path(
        "signups/<int:pk>/attendance",
        views.SignupAttendanceView.as_view(),
        name="signup-attendance",
    ),
    path("volunteers/<int:pk>/stats", views.VolunteerStatsView.as_view(), name="volunteer-stats"),
]
