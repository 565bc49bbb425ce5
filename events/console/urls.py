from django.urls import URLPattern, path

from events.console import views

urlpatterns: list[URLPattern] = [
    path("events", views.events, name="events"),
    path("events/<int:pk>", views.event, name="event"),
    path("events/<int:pk>/cancel", views.event_cancel_view, name="event-cancel"),
    path("signups/<int:pk>/attendance", views.attendance, name="signup-attendance"),
]
