from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self) -> None:
        # Outbox rows are written by domain-event receivers in the same transaction as the
        # change; consent answers given in events land in the ledger the same way; events asks
        # for consent and for texts sent at once through the provider registered here.
        # A misconfigured SMS setup (unknown SMS_BACKEND, a provider without its credentials)
        # stops every process here, at start: web server, dispatcher, workers.
        from backend.sms.checks import sms_settings_validate
        from canvass.services.safety import safety_inbound_handle
        from events import domain_events, texts
        from messaging import checks  # noqa: F401  (registers the segment budget check)
        from messaging.receivers import TextsForEvents
        from messaging.services.consent import consent_on_answer
        from messaging.services.inbound import inbound_handler_register
        from messaging.services.keywords import keywords_inbound_handle
        from messaging.services.outbox import outbox_on_domain_event

        domain_events.subscribe(outbox_on_domain_event)
        domain_events.subscribe_consent(consent_on_answer)
        texts.register(TextsForEvents())
        # Field check-ins by text ("OK", "BIEN", "HOME"), from staff numbers with a session.
        inbound_handler_register(safety_inbound_handle)
        # Volunteers' shift keywords by text (SHIFTS, JOIN 2, MY, DROP 2, HERE code).
        inbound_handler_register(keywords_inbound_handle)
        sms_settings_validate()
