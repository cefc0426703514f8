"""Reads of the missions app for its pages, the staff dashboard and the downloads.

Pages show stored observations only; nothing here computes an indicator. Every selector runs a
fixed number of queries whatever the data size: the visible indicators in one query, their
observations in one more, grouped here in Python.

"The portal's own value" of an indicator is an observation with status ``computed`` or
``reported`` for its headline geography: the WMCA area when the indicator has a value for it,
otherwise the geography with most portal values. Official figures (``published``) and targets
are comparators: shown beside the portal's values, never merged with them.

Only what code outside this package uses is re-exported here; the rest stays in its module.
"""

from .figures import PORTAL_STATUSES, SUPPRESSED_TEXT, TargetStatus, number_text, value_text
from .indicators import (
    EXPORT_FIELDS,
    IndicatorDetail,
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
    "EXPORT_FIELDS",
    "PORTAL_STATUSES",
    "SUPPRESSED_TEXT",
    "IndicatorDetail",
    "IndicatorSummary",
    "MissionSummary",
    "TargetStatus",
    "geography_list",
    "indicator_detail_get",
    "indicator_list",
    "indicator_summarise",
    "mission_summary_get",
    "mission_summary_list",
    "number_text",
    "observation_export_list",
    "portal_latest",
    "refresh_run_latest",
    "refresh_run_list",
    "value_text",
]
