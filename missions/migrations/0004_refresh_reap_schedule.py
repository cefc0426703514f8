from django.db import migrations


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Fail KPI refreshes whose worker stopped",
        defaults={"task": "missions.refresh_runs_reap", "interval": every_minute},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task="missions.refresh_runs_reap").delete()


class Migration(migrations.Migration):
    dependencies = [("missions", "0003_refresh_schedule")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
