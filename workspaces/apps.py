from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"

    def ready(self) -> None:
        # The core's download and deletion of a person's data know the applications only through this.
        from portal.personal_data import personal_data_register

        from .personal_data import SECTION

        personal_data_register(SECTION)
