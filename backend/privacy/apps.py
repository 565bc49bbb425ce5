from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "backend.privacy"
    label = "privacy"
    verbose_name = "Retention and erasure"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app declares how to erase its people and purge its expired data in `privacy.py`.
        autodiscover_modules("privacy")
