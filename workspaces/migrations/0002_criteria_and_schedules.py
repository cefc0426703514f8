from django.db import migrations

CRITERIA = [
    (
        "Digital innovation",
        "How far the product or service uses digital technology in a new way, and how clearly the firm can explain it.",
        2,
    ),
    (
        "Growth potential",
        "Evidence of demand (customers, pilots, revenue or investment) and a credible plan to grow jobs "
        "in the region over the next two years.",
        2,
    ),
    (
        "Regional benefit",
        "What the firm brings to the West Midlands: local hiring, supply chains, skills, and the five "
        "missions of the Digital Roadmap.",
        1,
    ),
    ("The team", "Whether the team has the skills and time to make the most of the space and support.", 1),
    (
        "Fit with the workspace",
        "Whether the desks, community and support of the chosen workspace match what the firm needs now.",
        1,
    ),
]


def create(apps, schema_editor):
    Criterion = apps.get_model("workspaces", "Criterion")
    for position, (name, description, weight) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(
            name=name, defaults={"description": description, "weight": weight, "position": position}
        )
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    quarter_hourly, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Expire workspace offers and offer the waiting list",
        defaults={"task": "workspaces.offers_expire", "interval": quarter_hourly},
    )
    early_morning, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.get_or_create(
        name="End workspace tenancies past their last day",
        defaults={"task": "workspaces.tenancies_end_due", "crontab": early_morning},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=["workspaces.offers_expire", "workspaces.tenancies_end_due"]
    ).delete()
    apps.get_model("workspaces", "Criterion").objects.filter(name__in=[c[0] for c in CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
