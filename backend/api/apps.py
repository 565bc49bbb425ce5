from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backend.api"
    label = "api"
    verbose_name = "API conventions"

    def ready(self) -> None:
        from backend.api import strict

        strict.install()
