from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backend.api"
    label = "api"
    verbose_name = "API conventions"

    def ready(self) -> None:
        # Transitional: the strict rules for serializers that do not derive from the strict
        # bases yet (backend/api/strict.py); removed with that module.
        from backend.api import strict

        strict.install()
