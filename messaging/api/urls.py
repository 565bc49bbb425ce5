from django.urls import URLPattern, path

from events.api import sms_views

urlpatterns: list[URLPattern] = [
    path("sms/messages", sms_views.SmsMessageListView.as_view(), name="sms-messages"),
    path("sms/inbound-messages", sms_views.InboundSmsListView.as_view(), name="sms-inbound-list"),
    path("sms/opt-outs", sms_views.OptOutListView.as_view(), name="sms-opt-outs"),
    path("sms/reviews", sms_views.SmsReviewListView.as_view(), name="sms-reviews"),
    path(
        "sms/reviews/<int:pk>/resolve",
        sms_views.SmsReviewResolveView.as_view(),
        name="sms-review-resolve",
    ),
    path("events/<int:pk>/sms-stats", sms_views.EventSmsStatsView.as_view(), name="event-sms"),
    path("sms/inbound", sms_views.InboundSmsWebhookView.as_view(), name="sms-inbound"),
    path("sms/status", sms_views.SmsStatusWebhookView.as_view(), name="sms-status"),
]
