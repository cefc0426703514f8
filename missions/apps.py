from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "missions"

    def ready(self) -> None:
        # Fill the registry of computed indicators, so every process (web, worker) has all of it.
        from . import computations  # noqa: F401
