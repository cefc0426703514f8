from django.apps import AppConfig


class AmbassadorsConfig(AppConfig):
    name = "ambassadors"

    def ready(self) -> None:
        # The core's sign-up and landing know the ambassadors only through these registrations.
        from portal import adapters
        from portal.roles import Role

        from .permissions import can_use_ambassador_portal
        from .signup import AmbassadorInvitations

        if not any(isinstance(i, AmbassadorInvitations) for i in adapters.SIGNUP_INVITATIONS):
            adapters.SIGNUP_INVITATIONS.append(AmbassadorInvitations())
        adapters.role_home_register(Role.AMBASSADOR, "ambassadors:home", can_use_ambassador_portal)
        # The download and deletion of a person's data know the network only through this.
        from portal.personal_data import personal_data_register

        from .personal_data import SECTION

        personal_data_register(SECTION)
        # Celery's autodiscovery finds ``tasks`` modules only; the leads' tasks live apart.
        from . import lead_tasks  # noqa: F401
