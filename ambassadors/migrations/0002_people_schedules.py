from django.db import migrations


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name="Expire ambassador invitations past their 7 days",
        defaults={"task": "ambassadors.invitations_expire", "interval": hourly},
    )
    monthly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="10", day_of_week="*", day_of_month="1", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.get_or_create(
        name="Remind ambassadors with no activity in 90 days",
        defaults={"task": "ambassadors.activity_reminders_send", "crontab": monthly},
    )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=["ambassadors.invitations_expire", "ambassadors.activity_reminders_send"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("ambassadors", "0001_network"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
