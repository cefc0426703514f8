from django.apps import AppConfig


class AmbassadorsConfig(AppConfig):
    name = "ambassadors"

    def ready(self) -> None:
        # Celery's autodiscovery finds ``tasks`` modules only; the leads' tasks live apart.
        from . import lead_tasks  # noqa: F401
