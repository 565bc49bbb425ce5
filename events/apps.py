from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        # SMS: outbox rows are written by a domain-event receiver in the same transaction as
        # the change. A misconfigured SMS setup (unknown SMS_BACKEND, twilio without its
        # credentials) stops every process here, at start: web server, dispatcher, workers.
        from backend.sms.checks import sms_settings_validate
        from events import domain_events
        from events.services.sms_outbox import outbox_on_domain_event

        domain_events.subscribe(outbox_on_domain_event)
        sms_settings_validate()
