from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal core"

    def ready(self):
        from .rest import schema  # noqa: F401  registers the partner OAuth2 scheme with drf-spectacular
