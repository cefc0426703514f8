"""Reads of the missions app for its pages, the staff dashboard and the downloads.

Pages show stored observations only; nothing here computes an indicator. Every selector runs a
fixed number of queries whatever the data size: the visible indicators in one query, all their
observations in one more, grouped here in Python.

"The portal's own value" of an indicator is an observation with status ``computed`` or
``reported`` for its headline geography: the WMCA area when the indicator has a value for it,
otherwise the geography with most portal values. Official figures (``published``) and targets
are comparators: shown beside the portal's values, never merged with them.
"""

from .figures import (
    COMPARATOR_STATUSES,
    HEADLINE_GEOGRAPHY,
    PORTAL_STATUSES,
    REFERENCE_CODES,
    STALE_AFTER,
    SUPPRESSED_TEXT,
    TargetStatus,
    decimal_year,
    is_stale,
    number_text,
    observation_updated_at,
    target_status,
    value_change,
    value_text,
)
from .indicators import (
    EXPORT_FIELDS,
    IndicatorDetail,
    Point,
    Series,
    geography_list,
    indicator_detail_get,
    observation_export_list,
)
from .refresh import refresh_run_latest, refresh_run_list
from .summaries import (
    IndicatorSummary,
    MissionSummary,
    indicator_list,
    indicator_summarise,
    mission_summary_get,
    mission_summary_list,
    portal_latest,
)

__all__ = [
    "COMPARATOR_STATUSES",
    "EXPORT_FIELDS",
    "HEADLINE_GEOGRAPHY",
    "PORTAL_STATUSES",
    "REFERENCE_CODES",
    "STALE_AFTER",
    "SUPPRESSED_TEXT",
    "IndicatorDetail",
    "IndicatorSummary",
    "MissionSummary",
    "Point",
    "Series",
    "TargetStatus",
    "decimal_year",
    "geography_list",
    "indicator_detail_get",
    "indicator_list",
    "indicator_summarise",
    "is_stale",
    "mission_summary_get",
    "mission_summary_list",
    "number_text",
    "observation_export_list",
    "observation_updated_at",
    "portal_latest",
    "refresh_run_latest",
    "refresh_run_list",
    "target_status",
    "value_change",
    "value_text",
]
