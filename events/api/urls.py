from django.urls import URLPattern, URLResolver, path

from events.api.views import (
    calendar,
    caucuses,
    locations,
    schedule,
    sensitive,
    signups,
    volunteers,
)

urlpatterns: list[URLPattern | URLResolver] = [
    # Public, no login
    path("public/events", schedule.PublicEventListView.as_view(), name="public-events"),
    path("public/events/nearby", schedule.NearbyEventsView.as_view(), name="public-events-nearby"),
    path("public/events/<int:pk>", schedule.PublicEventDetailView.as_view(), name="public-event"),
    path(
        "public/events/<int:pk>/calendar.ics",
        calendar.PublicEventCalendarView.as_view(),
        name="public-event-calendar",
    ),
    path(
        "public/shifts/<int:pk>/signups", signups.PublicSignupView.as_view(), name="public-signup"
    ),
    path(
        "public/manage-link", volunteers.ManageLinkRequestView.as_view(), name="public-manage-link"
    ),
    path("public/me/<str:token>", volunteers.VolunteerPageView.as_view(), name="volunteer-page"),
    path(
        "public/me/<str:token>/calendar.ics",
        calendar.VolunteerCalendarView.as_view(),
        name="volunteer-calendar",
    ),
    path(
        "public/me/<str:token>/reminder-channel",
        volunteers.VolunteerReminderChannelView.as_view(),
        name="volunteer-reminder-channel",
    ),
    path(
        "public/me/<str:token>/signups/<int:pk>/cancel",
        signups.VolunteerCancelView.as_view(),
        name="volunteer-cancel",
    ),
    path(
        "public/where-do-i-caucus",
        caucuses.WhereDoICaucusView.as_view(),
        name="public-where-do-i-caucus",
    ),
    # Organizers and field leads
    path("locations", locations.LocationListView.as_view(), name="locations"),
    path("locations/<int:pk>", locations.LocationDetailView.as_view(), name="location"),
    path("events", schedule.EventListView.as_view(), name="events"),
    path("events/<int:pk>", schedule.EventDetailView.as_view(), name="event"),
    path("events/<int:pk>/cancel", schedule.EventCancelView.as_view(), name="event-cancel"),
    path("events/<int:pk>/complete", schedule.EventCompleteView.as_view(), name="event-complete"),
    path("me/volunteer", volunteers.MyVolunteerView.as_view(), name="my-volunteer"),
    path(
        "me/volunteer/reminder-channel",
        volunteers.MyReminderChannelView.as_view(),
        name="my-reminder-channel",
    ),
    path(
        "me/volunteer/verify",
        volunteers.MyVolunteerVerifyView.as_view(),
        name="my-volunteer-verify",
    ),
    path("events/<int:pk>/shifts", schedule.EventShiftsView.as_view(), name="event-shifts"),
    path("events/<int:pk>/roster", signups.EventRosterView.as_view(), name="event-roster"),
    path(
        "events/<int:pk>/roster.csv", signups.EventRosterCsvView.as_view(), name="event-roster-csv"
    ),
    path(
        "events/<int:pk>/attendance",
        signups.EventBulkAttendanceView.as_view(),
        name="event-attendance",
    ),
    path("events/<int:pk>/stats", signups.EventStatsView.as_view(), name="event-stats"),
    path("shifts/<int:pk>", schedule.ShiftDetailView.as_view(), name="shift"),
    path("shifts/<int:pk>/cancel", schedule.ShiftCancelView.as_view(), name="shift-cancel"),
    path("shifts/<int:pk>/roster", signups.ShiftRosterView.as_view(), name="shift-roster"),
    path("shifts/<int:pk>/signups", signups.ShiftSignupCreateView.as_view(), name="shift-signups"),
    path(
        "signups/<int:pk>/attendance",
        signups.SignupAttendanceView.as_view(),
        name="signup-attendance",
    ),
    path("caucuses", caucuses.CaucusListView.as_view(), name="caucuses"),
    path("caucuses/<int:pk>", caucuses.CaucusDetailView.as_view(), name="caucus"),
    path("caucuses/<int:pk>/sites", caucuses.CaucusSiteCreateView.as_view(), name="caucus-sites"),
    path("caucuses/<int:pk>/links", caucuses.CaucusLinkView.as_view(), name="caucus-links"),
    path(
        "caucuses/<int:pk>/links/<int:precinct>",
        caucuses.CaucusUnlinkView.as_view(),
        name="caucus-unlink",
    ),
    path(
        "caucuses/<int:pk>/site-import",
        caucuses.CaucusSitesImportView.as_view(),
        name="caucus-site-import",
    ),
    path(
        "caucuses/<int:pk>/match-report",
        caucuses.CaucusMatchReportView.as_view(),
        name="caucus-match-report",
    ),
    path("caucuses/<int:pk>/board", caucuses.CaucusBoardView.as_view(), name="caucus-board"),
    path("volunteers/<int:pk>/stats", signups.VolunteerStatsView.as_view(), name="volunteer-stats"),
    # Sensitive events (organizers)
    path(
        "volunteers/<int:pk>/vetting",
        sensitive.VolunteerVettingView.as_view(),
        name="volunteer-vetting",
    ),
    path("signups/<int:pk>/approve", sensitive.SignupApproveView.as_view(), name="signup-approve"),
    path("signups/<int:pk>/decline", sensitive.SignupDeclineView.as_view(), name="signup-decline"),
    path(
        "signups/<int:pk>/address-release",
        sensitive.AddressReleaseView.as_view(),
        name="signup-address-release",
    ),
]
