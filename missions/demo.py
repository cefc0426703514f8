"""Demo data of the missions app (local use only): owners for a few reported indicators, synthetic
reported values marked as such, and one KPI refresh so the dashboards have computed values."""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from portal.models import Organisation

from . import services
from .geographies import WMCA_CODE
from .models import Geography, Indicator, Observation, RefreshRun

SYNTHETIC = "Synthetic demo value, not a real figure."
# Reported indicator -> the demo partner that owns it, and the range of its synthetic values.
DEMO_OWNERS = {
    "M2-03": ("Birmingham Tech (demo)", (800, 2400), 0),
    "M2-06": ("Birmingham Tech (demo)", (150, 420), 0),
    "M2-05": ("Midlands University (demo)", (48, 71), 1),
    "M4-08": ("West Midlands Combined Authority (demo)", (38, 62), 1),
}
YEARS = range(2021, 2026)


@transaction.atomic
def reported_values_seed() -> int:
    """Give each demo owner its indicators (where nobody owns them yet) and report a synthetic
    value per year. Idempotent: a value already there is left alone. Returns how many were added."""
    rng = random.Random(2041)  # noqa: S311 - demo data, not security
    area = Geography.objects.get(code=WMCA_CODE)
    added = 0
    for code, (owner_name, (low, high), decimals) in DEMO_OWNERS.items():
        owner = Organisation.objects.filter(name=owner_name).first()
        indicator = Indicator.objects.filter(code=code).first()
        if owner is None or indicator is None:
            continue
        if indicator.owner_id is None:
            indicator.owner = owner
            indicator.save(update_fields=["owner"])
        if indicator.owner_id != owner.pk:
            continue  # the office has assigned it to someone else: leave their data alone
        for year in YEARS:
            value = Decimal(str(round(rng.uniform(low, high), decimals)))
            if Observation.objects.filter(indicator=indicator, period_label=str(year), status="reported").exists():
                continue
            services.observation_submit(
                indicator=indicator,
                geography=area,
                period_start=datetime.date(year, 1, 1),
                period_end=datetime.date(year, 12, 31),
                value=value,
                source_title=f"{owner_name} programme returns",
                notes=SYNTHETIC,
                organisation=owner,
            )
            added += 1
    return added


def kpis_refresh_now() -> RefreshRun | None:
    """Run one KPI refresh in this process (``services.refresh_run_start``); None when a run is
    already open elsewhere."""
    return services.refresh_run_start(trigger=RefreshRun.Trigger.STAFF)
