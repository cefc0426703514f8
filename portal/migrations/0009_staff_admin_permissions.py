"""Give the staff role the model permissions for the admin pages the README promises them:
organisations and their yearly facts (with history, and the members picker, which reads users),
feedback, indicators and their values, and the schedules of background jobs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_PERMISSIONS = {
    "portal": [
        "view_organisation",
        "add_organisation",
        "change_organisation",
        "view_firmyear",
        "add_firmyear",
        "change_firmyear",
        "view_feedback",
        "view_user",
    ],
    "missions": ["view_indicator", "change_indicator", "view_observation", "change_observation"],
    "django_celery_beat": ["view_periodictask", "change_periodictask", "view_crontabschedule", "view_intervalschedule"],
}


def _permissions(apps):
    # Permissions are made after all migrations on a new database: make them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codenames in STAFF_PERMISSIONS.items()
        for codename in codenames
    ]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="staff")[0].permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="staff").first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_feedback"),
        ("missions", "0003_refresh_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
