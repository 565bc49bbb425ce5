from django.urls import URLPattern, path

from messaging.api.views import inbound, optouts, outbox, reviews, webhooks

urlpatterns: list[URLPattern] = [
    path("sms/messages", outbox.SmsMessageListView.as_view(), name="sms-messages"),
    path("sms/inbound-messages", inbound.InboundSmsListView.as_view(), name="sms-inbound-list"),
    path("sms/opt-outs", optouts.OptOutListView.as_view(), name="sms-opt-outs"),
    path("sms/reviews", reviews.SmsReviewListView.as_view(), name="sms-reviews"),
    path(
        "sms/reviews/<int:pk>/resolve",
        reviews.SmsReviewResolveView.as_view(),
        name="sms-review-resolve",
    ),
    path("events/<int:pk>/sms-stats", outbox.EventSmsStatsView.as_view(), name="event-sms"),
    path("sms/inbound", webhooks.InboundSmsWebhookView.as_view(), name="sms-inbound"),
    path("sms/status", webhooks.SmsStatusWebhookView.as_view(), name="sms-status"),
]
