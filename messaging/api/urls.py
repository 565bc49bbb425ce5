from django.urls import URLPattern, path

from messaging.api.views import inbound, kyr, optouts, outbox, reviews, voice, webhooks

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
    path(
        "events/<int:pk>/sms-forecast", outbox.EventSmsForecastView.as_view(), name="sms-forecast"
    ),
    path("sms/inbound", webhooks.InboundSmsWebhookView.as_view(), name="sms-inbound"),
    path("sms/status", webhooks.SmsStatusWebhookView.as_view(), name="sms-status"),
    # Reminder calls (docs/voice.md)
    path(
        "voice/calls/<str:token>/twiml", voice.VoiceTwimlWebhookView.as_view(), name="voice-twiml"
    ),
    path("voice/calls/<str:token>/keys", voice.VoiceKeysWebhookView.as_view(), name="voice-keys"),
    path(
        "voice/calls/<str:token>/status",
        voice.VoiceStatusWebhookView.as_view(),
        name="voice-status",
    ),
    # Know your rights, on request (docs/safety.md)
    path("kyr/texts", kyr.KnowYourRightsTextListView.as_view(), name="kyr-texts"),
    path("kyr/texts/<str:language>", kyr.KnowYourRightsTextView.as_view(), name="kyr-text"),
    path("kyr/send", kyr.KnowYourRightsSendView.as_view(), name="kyr-send"),
]
