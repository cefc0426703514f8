"""factory_boy factories for the missions models."""

import datetime
from decimal import Decimal

import factory

from missions.models import Geography, Indicator, Mission, Observation, RefreshRun
from tests.portal.factories import VersionedModelFactory

WMCA = "E47000007"
WEST_MIDLANDS = "E12000005"
UK = "K02000001"


def geography(code: str = WMCA) -> Geography:
    """A geography the data migration created (GSS code)."""
    return Geography.objects.get(code=code)


class IndicatorFactory(VersionedModelFactory):
    """A reported, public M2 indicator by default; ``computed=True`` for a computed one."""

    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"MX-{n:03d}")
    mission = factory.LazyFunction(lambda: Mission.objects.get(code="M2"))
    name = factory.Sequence(lambda n: f"Test indicator {n}")
    definition = "A test indicator."
    methodology = "Counted by hand."
    unit = "%"
    method = Indicator.Method.REPORTED
    is_public = True

    class Params:
        computed = factory.Trait(method=Indicator.Method.COMPUTED, computation="survival_1y")
        with_target = factory.Trait(target_value=Decimal("80"), target_date=datetime.date(2030, 12, 31))


class ObservationFactory(VersionedModelFactory):
    """A reported value for the WMCA area in a calendar year (``year``, default 2024)."""

    class Meta:
        model = Observation

    class Params:
        year = 2024

    indicator = factory.SubFactory(IndicatorFactory)
    geography = factory.LazyFunction(geography)
    period_start = factory.LazyAttribute(lambda o: datetime.date(o.year, 1, 1))
    period_end = factory.LazyAttribute(lambda o: datetime.date(o.year, 12, 31))
    period_label = factory.LazyAttribute(lambda o: str(o.year))
    status = Observation.Status.REPORTED
    value = Decimal("50.0")


class RefreshRunFactory(VersionedModelFactory):
    class Meta:
        model = RefreshRun

    trigger = RefreshRun.Trigger.STAFF
