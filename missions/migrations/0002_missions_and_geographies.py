from django.db import migrations

# Portal code, slug, short name, Roadmap wording, summary, position in the Roadmap's own order.
MISSIONS = [
    (
        "M1",
        "economy",
        "Economy",
        "Realising the potential of digital to transform our economy and build economic resilience",
        "Realise the full economic potential of digital: more investment into the region's tech firms, "
        "more start-ups surviving and becoming scale-ups, more diverse leadership and more firms "
        "relocating to the region.",
        1,
    ),
    (
        "M2",
        "inclusion",
        "Inclusion",
        "Securing access for everyone to digital opportunities, particularly those in poverty",
        "Everyone has an affordable device and connection and the confidence to use them; everyone can "
        "reach digital jobs; the supply of digital skills meets demand.",
        2,
    ),
    (
        "M3",
        "data",
        "Data",
        "Sharing and using data to improve people's lives",
        "Data is shared across organisations to solve regional challenges; the region leads on data ethics, "
        "open data and data security.",
        3,
    ),
    (
        "M4",
        "connectivity",
        "Connectivity",
        "Becoming the UK's best-connected region",
        "The best 4G and 5G in the UK and the highest full-fibre access, with a focus on deprived areas.",
        4,
    ),
    (
        "M5",
        "public-services",
        "Public services",
        "Using digital public services to build a fairer, greener, healthier region",
        "Digital public services that reduce health inequalities, support vulnerable adults and cut "
        "regional carbon emissions.",
        5,
    ),
]

GEOGRAPHIES = [
    ("K02000001", "United Kingdom", "country"),
    ("E92000001", "England", "country"),
    ("N92000002", "Northern Ireland", "country"),
    ("E12000005", "West Midlands (region)", "region"),
    ("E12000007", "London", "region"),
    ("E12000008", "South East", "region"),
    ("E12000009", "South West", "region"),
    ("E47000007", "WMCA area", "combined_authority"),
    ("E08000025", "Birmingham", "local_authority"),
    ("E08000026", "Coventry", "local_authority"),
    ("E08000027", "Dudley", "local_authority"),
    ("E08000028", "Sandwell", "local_authority"),
    ("E08000029", "Solihull", "local_authority"),
    ("E08000030", "Walsall", "local_authority"),
    ("E08000031", "Wolverhampton", "local_authority"),
    ("TTC-SIGNATORIES", "United Kingdom (TTC signatories)", "sample"),
]


def create(apps, schema_editor):
    Mission = apps.get_model("missions", "Mission")
    Geography = apps.get_model("missions", "Geography")
    for code, slug, name, wording, summary, order in MISSIONS:
        Mission.objects.update_or_create(
            code=code,
            defaults={
                "slug": slug,
                "name": name,
                "roadmap_wording": wording,
                "summary": summary,
                "roadmap_order": order,
            },
        )
    for code, name, level in GEOGRAPHIES:
        Geography.objects.update_or_create(code=code, defaults={"name": name, "level": level})


def remove(apps, schema_editor):
    apps.get_model("missions", "Mission").objects.filter(code__in=[m[0] for m in MISSIONS]).delete()
    apps.get_model("missions", "Geography").objects.filter(code__in=[g[0] for g in GEOGRAPHIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("missions", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
