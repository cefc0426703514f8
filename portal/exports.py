"""What every CSV the portal publishes shares: a cell that a spreadsheet would run as a formula is
made text, so opening a download never runs anything."""

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

# The licence of everything the portal publishes as open data.
LICENCE_TITLE = "Open Government Licence v3.0"
LICENCE_URL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# A leading =, +, -, @, tab or carriage return makes a spreadsheet read a cell as a formula (OWASP
# "CSV injection"); a single quote in front makes it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value) -> str:
    """A value as one CSV cell: empty for None, ``true``/``false``, ISO dates, numbers as they are,
    and text that could be read as a formula behind a single quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_document(rows: Iterable[dict], columns: list[str], *, list_separator: str = "; ") -> str:
    """A whole CSV file: a header of ``columns``, then one line per row (a dict keyed by column),
    every cell through ``csv_text``; a list in a cell is joined with ``list_separator`` first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [csv_text(list_separator.join(row[name]) if isinstance(row[name], list) else row[name]) for name in columns]
        )
    return out.getvalue()
