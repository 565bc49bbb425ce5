from django.apps import AppConfig


class CanvassConfig(AppConfig):
    name = "canvass"

    def ready(self) -> None:
        # A YES / SI from a number with a pending endorsement confirms it (before the YES of a
        # volunteer's next shift, which only takes the texts no endorsement claimed).
        from canvass.services.endorsements import endorsement_inbound_reply
        from messaging.services.inbound import inbound_handler_register

        inbound_handler_register(endorsement_inbound_reply)
