"""M3 indicators computed from the portal's own open data catalogue (``missions.open_data``).

Freshness (M3-03, KPIS §2.10) is the share of the catalogue's datasets whose last change
(``dct:modified``) is within their stated update frequency (``dct:accrualPeriodicity``), measured
when the refresh runs. The refresh runs it after every other indicator (``run_last``), so the
computed indicators count as they stand after this run, and it counts its own dataset as fresh,
since this very computation updates it: so two refreshes in a row give the same value. A
dataset's earlier change dates are not kept, so a past quarter cannot be measured again later:
each refresh writes the current quarter's value, and the values of earlier quarters stay as they
were last measured (the last refresh in each quarter).
"""

from django.utils import timezone

from missions.geographies import WMCA_CODE
from missions.models import Indicator, Observation
from missions.open_data import dataset_list
from missions.registry import Value, rate_value, register

from .workspaces import _quarter_bounds, _quarter_index

FRESHNESS = "open_data_freshness"


def _earlier_values(key: str, before) -> list[Value]:
    """The computed values of the indicator computed by ``key`` for the periods ending before
    ``before``, as stored. One query."""
    rows = Observation.objects.filter(
        indicator__computation=key,
        status=Observation.Status.COMPUTED,
        geography__code=WMCA_CODE,
        period_end__lt=before,
    ).order_by("period_start")
    return [
        Value(
            period_label=row.period_label,
            period_start=row.period_start,
            period_end=row.period_end,
            geography_code=WMCA_CODE,
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
        )
        for row in rows
    ]


@register(FRESHNESS, run_last=True)
def open_data_freshness() -> list[Value]:
    """Datasets updated within their frequency, as a share of every dataset the portal publishes,
    for the current quarter (measured now), after the earlier quarters' stored values. Its own
    dataset counts as fresh. Seven queries: the catalogue's five, its own code and the stored
    values."""
    start, end = _quarter_bounds(_quarter_index(timezone.localdate()))
    datasets = dataset_list()
    if not datasets:
        return _earlier_values(FRESHNESS, start)
    own = {
        f"indicator-{code.lower()}"
        for code in Indicator.objects.filter(computation=FRESHNESS).values_list("code", flat=True)
    }
    fresh = sum(1 for dataset in datasets if dataset.is_fresh or dataset.identifier in own)
    return [*_earlier_values(FRESHNESS, start), rate_value(start, end, fresh, len(datasets))]
