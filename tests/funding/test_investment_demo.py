"""The demo investments: 400 deals over five years into the demo firms, with every shape the
register and its indicators need, the same on every run, and added once."""

import datetime

import pytest
from django.utils import timezone

from funding import demo as funding_demo
from funding.investment_demo import SOURCE_PREFIX
from funding.models import Investment
from portal import demo as portal_demo

pytestmark = pytest.mark.django_db


def test_the_demo_register_has_every_shape_and_is_added_once():
    portal_demo.seed()
    counts = funding_demo.seed()
    assert (counts["investments"], counts["new_investments"], counts["flagged"]) == (400, 400, 4)
    demo = Investment.objects.filter(source__startswith=SOURCE_PREFIX)
    today = timezone.localdate()
    assert demo.filter(announced_on__lt=today - datetime.timedelta(days=5 * 365 + 1)).count() == 0
    assert len({d.year for d in demo.values_list("announced_on", flat=True)}) >= 5
    assert set(demo.values_list("firm__company_number", flat=True)) <= {f"SY{n:06d}" for n in range(1, 301)}
    assert 20 < demo.filter(amount_gbp__isnull=True).count() < 120
    assert 40 < demo.international().count() < 200 and demo.domestic().count() > 100
    assert demo.lead_unknown().exists()
    grants = demo.filter(kind=Investment.Kind.GRANT)
    assert (
        grants.count() > 50
        and grants.filter(investor_rows__investor__name__endswith="(demo)").count() == grants.count()
    )
    assert demo.filter(opportunity__isnull=False).count() > 20
    assert 100 < demo.verified().count() < 350
    assert demo.filter(origin="partner", submitted_by__name="Birmingham Tech (demo)").exists()
    assert demo.filter(origin="import").exists()
    assert not demo.filter(stage="").filter(kind="equity").exists()
    assert not demo.exclude(kind="equity").exclude(stage="").exists()

    again = funding_demo.seed()
    assert (again["investments"], again["new_investments"]) == (400, 0)
