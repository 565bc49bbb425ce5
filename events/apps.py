from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        # SMS: outbox rows are written by a domain-event receiver in the same transaction as
        # the change; the system check refuses a twilio backend without credentials.
        import backend.sms.checks  # noqa: F401
        from events import domain_events
        from events.services.sms_outbox import outbox_on_domain_event

        domain_events.subscribe(outbox_on_domain_event)
