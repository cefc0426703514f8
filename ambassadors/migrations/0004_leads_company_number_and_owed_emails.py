"""Leads carry the firm's Companies House number (landing finds or creates the firm by it), and a
lead's change records when the referring ambassador was emailed, so a sweep sends what a job
never did (the broker was down)."""

from django.db import migrations, models


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_ten_minutes, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Send the lead emails still owed to ambassadors",
        defaults={"task": "ambassadors.lead_notifications_send_owed", "interval": every_ten_minutes},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="ambassadors.lead_notifications_send_owed"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ambassadors", "0003_people_invitation_emailed_at"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="company_number",
            field=models.CharField(
                blank=True,
                help_text="The firm's number in the UK (its UK company, for a firm from abroad); needed to land it.",
                max_length=8,
                verbose_name="Companies House number",
            ),
        ),
        migrations.AddField(
            model_name="leadchange",
            name="notified_at",
            field=models.DateTimeField(
                blank=True, help_text="When the referring ambassador was emailed about this move.", null=True
            ),
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
