"""The register's CSV columns, shared by imports and downloads: what each column holds, the
template to fill in, and the register written in the same columns (plus a few an import leaves
aside), so a download can be changed and imported back. Every cell goes through
``portal.exports.csv_text``: a cell a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from portal.exports import csv_text
from portal.selectors import organisation_reference

from .models import Investment

# The columns of an import file, with what each holds; the template and the README list them.
IMPORT_COLUMNS = {
    "firm": "The firm's Companies House number, or its name exactly as in the registry. Required.",
    "kind": "equity, grant, loan or other. Required.",
    "stage": "For an equity round: pre_seed, seed, series_a, series_b, series_c_plus or growth. Otherwise empty.",
    "amount_gbp": "Whole pounds, like 250000 or £250,000. Empty when the amount was not disclosed.",
    "date": "The day the deal closed or the award was made: 2025-03-31 or 31/03/2025. Required.",
    "lead_investor": "The lead investor's Companies House number or name. A name not in the registry becomes "
    "a new investor organisation. Empty when no lead is known.",
    "lead_investor_country": "Two-letter code of the country the lead is based in, like GB or US. Required "
    "with a lead investor.",
    "other_investors": "Other investors, Companies House numbers or names, separated by semicolons.",
    "other_investor_countries": "Their two-letter country codes, in the same order, separated by semicolons.",
    "opportunity": "The id of the listed funding opportunity it came through, if any.",
    "title": "What the money is for. Optional.",
    "source": "Where the figure comes from: a web address or a document. Required.",
}
REQUIRED_COLUMNS = ("firm", "kind", "date", "source")
# Columns the register's download adds; an import accepts them and leaves them aside.
EXPORT_ONLY_COLUMNS = ("id", "origin", "verified", "possible_duplicate_of")
EXPORT_COLUMNS = ["id", *IMPORT_COLUMNS, "origin", "verified", "possible_duplicate_of"]
TEMPLATE_EXAMPLE = {
    "firm": "01234567",
    "kind": "equity",
    "stage": "seed",
    "amount_gbp": "750000",
    "date": "2025-03-31",
    "lead_investor": "Midlands Angel Network",
    "lead_investor_country": "GB",
    "other_investors": "Atlantic Bridge Ventures; 09876543",
    "other_investor_countries": "US; GB",
    "opportunity": "",
    "title": "Seed round to grow the sales team",
    "source": "https://news.example/seed-round",
}


def _csv_line(values: Iterable) -> str:
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n").writerow([csv_text(value) for value in values])
    return stream.getvalue()


def investment_import_template_csv() -> str:
    """The template to fill in: the header and one example row."""
    return _csv_line(IMPORT_COLUMNS) + _csv_line(TEMPLATE_EXAMPLE[column] for column in IMPORT_COLUMNS)


def investments_csv_lines(investments: Iterable[Investment]) -> Iterator[str]:
    """The register as CSV lines in the import's columns plus ``EXPORT_ONLY_COLUMNS`` (which an
    import leaves aside): the header, then one line per deal. ``investments`` should come from
    ``for_list()``, so the investors are prefetched."""
    yield _csv_line(EXPORT_COLUMNS)
    for investment in investments:
        rows = list(investment.investor_rows.all())
        lead = next((row for row in rows if row.is_lead), None)
        others = [row for row in rows if not row.is_lead]
        values = {
            "id": investment.pk,
            "firm": organisation_reference(investment.firm),
            "kind": investment.kind,
            "stage": investment.stage,
            "amount_gbp": investment.amount_gbp,
            "date": investment.announced_on,
            "lead_investor": organisation_reference(lead.investor) if lead else "",
            "lead_investor_country": lead.country.code if lead else "",
            "other_investors": "; ".join(organisation_reference(row.investor) for row in others),
            "other_investor_countries": "; ".join(row.country.code for row in others),
            "opportunity": investment.opportunity_id,
            "title": investment.title,
            "source": investment.source,
            "origin": investment.origin,
            "verified": investment.is_verified,
            "possible_duplicate_of": investment.possible_duplicate_of_id,
        }
        yield _csv_line(values[column] for column in EXPORT_COLUMNS)
