from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def planks_seed(
    sender: AppConfig, *, apps: Any = global_apps, using: str = "default", **kwargs: Any
) -> None:
    """Write the platform's four planks when they are missing, after every `migrate` (and after
    the flush of a transactional test, which empties every table and then sends this signal)."""
    from canvass.models.platform import DEFAULT_PLANKS

    try:
        plank_model = apps.get_model("canvass", "Plank")
    except LookupError:  # migrated only up to before the planks
        return
    for position, (code, title_en, title_es, summary_en, summary_es) in enumerate(
        DEFAULT_PLANKS, 1
    ):
        plank_model.objects.using(using).get_or_create(
            code=code,
            defaults={
                "position": position,
                "title_en": title_en,
                "title_es": title_es,
                "summary_en": summary_en,
                "summary_es": summary_es,
            },
        )


class CanvassConfig(AppConfig):
    name = "canvass"

    def ready(self) -> None:
        # A YES / SI from a number with a pending endorsement confirms it (before the YES of a
        # volunteer's next shift, which only takes the texts no endorsement claimed).
        from canvass.services.endorsements import endorsement_inbound_reply
        from messaging.services.inbound import inbound_handler_register

        inbound_handler_register(endorsement_inbound_reply)
        post_migrate.connect(planks_seed, sender=self, dispatch_uid="canvass.planks_seed")
