"""The investment register's grants in the 360Giving Data Standard (1.4): a data package in JSON
and the flat CSV of 360Giving's summary template, served as open data under /data/.

Which grants, and which of them are published, is the funding app's rule (``funding.grants``): a
grant is published when it has a disclosed amount and a funder, so no required field is guessed.

Identifiers follow 360Giving's guidance: a grant is ``360G-<prefix>-<pk>``; an organisation with
a Companies House number is ``GB-COH-<number>``, any other (a firm or funder the registry holds no
number for) ``360G-<prefix>-org-<pk>``, stable because organisation ids never change. Where the
recipient firm is in a WMCA borough, the beneficiary location is that metropolitan district with
its ONS GSS code (``geoCodeType`` MD); elsewhere there is none.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils import timezone

from funding.grants import GrantOrganisation, PublishedGrant
from funding.models import Investment
from portal.models import LocalAuthority

from .geographies import BOROUGH_CODES

# The publisher's 360Giving prefix; grants and organisations without another identifier use it.
PREFIX = "360G-wmtechcommissioner"
VERSION = "1.4"
CURRENCY = "GBP"
# The geoCodeType of the seven WMCA boroughs' GSS codes (E08: metropolitan districts).
BOROUGH_GEO_CODE_TYPE = "MD"

# The columns of 360Giving's flat summary template the export fills, in the template's order.
FLAT_COLUMNS = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Company Number",
    "Recipient Org:Web Address",
    "Beneficiary Location:Name",
    "Beneficiary Location:Country Code",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Grant Programme:URL",
    "From an open call?",
    "Last modified",
    "Data Source",
]


# Identifiers ----------------------------------------------------------------------------------


def grant_identifier(investment: PublishedGrant) -> str:
    """``360G-<prefix>-<pk>``: stable, since an investment's id never changes."""
    return f"{PREFIX}-{investment.pk}"


def organisation_identifier(organisation: GrantOrganisation) -> str:
    """``GB-COH-<number>`` for a company registered at Companies House, else ``360G-<prefix>-org-<pk>``."""
    if organisation.company_number:
        return f"GB-COH-{organisation.company_number.upper()}"
    return f"{PREFIX}-org-{organisation.pk}"


# One grant -------------------------------------------------------------------------------------


def _funders(grant: PublishedGrant) -> list[GrantOrganisation]:
    """The grant's funding organisations: its investors, lead first; else the opportunity's funder."""
    if grant.investors:
        return grant.investors
    return [grant.opportunity.funder] if grant.opportunity is not None else []


@functools.lru_cache(maxsize=1024)
def _programme_path(opportunity_id: int) -> str:
    return reverse("funding:opportunity-detail", args=[opportunity_id])


WEB_ADDRESS = re.compile(r"https?://\S+")


def _is_web_address(text: str) -> bool:
    return WEB_ADDRESS.fullmatch(text) is not None


def _word(investment: PublishedGrant) -> str:
    """A grant is a grant; an award of kind *other* (a prize won on the catalogue) an award."""
    return "Grant" if investment.kind == Investment.Kind.GRANT else "Award"


def _title(investment: PublishedGrant) -> str:
    return investment.title or f"{_word(investment)} to {investment.firm.name}"


def _description(investment: PublishedGrant, funders: list[GrantOrganisation]) -> str:
    names = " and ".join(funder.name for funder in funders)
    through = f" through {investment.opportunity.title}" if investment.opportunity is not None else ""
    what = f": {investment.title}" if investment.title else ""
    return f"{_word(investment)} from {names} to {investment.firm.name}{through}{what}."


def _location(firm: GrantOrganisation) -> dict | None:
    code = BOROUGH_CODES.get(firm.local_authority)
    if code is None:
        return None
    return {
        "name": LocalAuthority(firm.local_authority).label,
        "countryCode": "GB",
        "geoCode": code,
        "geoCodeType": BOROUGH_GEO_CODE_TYPE,
    }


def _organisation(organisation: GrantOrganisation, *, with_details: bool) -> dict:
    row = {"id": organisation_identifier(organisation), "name": organisation.name}
    if with_details:
        if organisation.company_number:
            row["companyNumber"] = organisation.company_number.upper()
        if organisation.website and _is_web_address(organisation.website):
            row["url"] = organisation.website
    return row


def grant_json(investment: PublishedGrant, *, base_url: str) -> dict:
    """One grant as a 360Giving grant object. Takes a row of ``funding.grants.grant_list`` and runs
    no query. Only fields the register holds are written; none is ever empty or null."""
    funders = _funders(investment)
    grant = {
        "id": grant_identifier(investment),
        "title": _title(investment),
        "description": _description(investment, funders),
        "currency": CURRENCY,
        "amountAwarded": investment.amount_gbp,
        "awardDate": investment.announced_on.isoformat(),
        "recipientOrganization": [_organisation(investment.firm, with_details=True)],
        "fundingOrganization": [_organisation(funder, with_details=False) for funder in funders],
    }
    location = _location(investment.firm)
    if location is not None:
        grant["beneficiaryLocation"] = [location]
    opportunity = investment.opportunity
    if opportunity is not None:
        programme = {"code": f"{PREFIX}-opportunity-{opportunity.pk}", "title": opportunity.title}
        if not opportunity.is_withdrawn:
            programme["url"] = base_url + _programme_path(opportunity.pk)
        grant["grantProgramme"] = [programme]
        # Every opportunity on the catalogue is a call anyone eligible may apply to.
        grant["fromOpenCall"] = "Yes"
    grant["dateModified"] = investment.updated_at.isoformat()
    if _is_web_address(investment.source):
        grant["dataSource"] = investment.source
    return grant


def grant_package(grants: list[PublishedGrant], *, base_url: str, publisher: str, licence_url: str) -> dict:
    """The 360Giving data package of ``grants`` (rows of ``funding.grants.grant_list``) with its
    metadata. With no grant, ``grants`` is an empty list (the standard asks for at least one: there
    is none to give)."""
    rows = [grant_json(investment, base_url=base_url) for investment in grants]
    modified = max((investment.updated_at for investment in grants), default=None) or timezone.now()
    return {
        "version": VERSION,
        "title": "Grants to the West Midlands' tech firms (360Giving)",
        "description": (
            "Grants and competition awards to tech firms recorded in the Tech Commissioner Portal's "
            "investment register, with a disclosed amount and a named funder, in the 360Giving Data Standard."
        ),
        "identifier": f"{PREFIX}-grants",
        "modified": modified.isoformat(),
        "publisher": {"name": publisher, "website": f"{base_url}/"},
        "license": licence_url,
        "accessURL": f"{base_url}{reverse('missions:open-data')}",
        "downloadURL": f"{base_url}{reverse('missions:grants-360giving-json')}",
        "grants": rows,
    }


def grant_flat_rows(grants: Iterable[PublishedGrant], *, base_url: str) -> Iterator[dict]:
    """Each grant as one row of ``FLAT_COLUMNS``, keyed by column title; a field the grant has not
    is an empty cell. The template has one funding organisation's columns: a grant with several
    funders names the lead (the first) there; the JSON package names every one."""
    for investment in grants:
        grant = grant_json(investment, base_url=base_url)
        recipient = grant["recipientOrganization"][0]
        funder = grant["fundingOrganization"][0]
        location = (grant.get("beneficiaryLocation") or [{}])[0]
        programme = (grant.get("grantProgramme") or [{}])[0]
        yield {
            "Identifier": grant["id"],
            "Title": grant["title"],
            "Description": grant["description"],
            "Currency": grant["currency"],
            "Amount Awarded": grant["amountAwarded"],
            "Award Date": grant["awardDate"],
            "Recipient Org:Identifier": recipient["id"],
            "Recipient Org:Name": recipient["name"],
            "Recipient Org:Company Number": recipient.get("companyNumber"),
            "Recipient Org:Web Address": recipient.get("url"),
            "Beneficiary Location:Name": location.get("name"),
            "Beneficiary Location:Country Code": location.get("countryCode"),
            "Beneficiary Location:Geographic Code": location.get("geoCode"),
            "Beneficiary Location:Geographic Code Type": location.get("geoCodeType"),
            "Funding Org:Identifier": funder["id"],
            "Funding Org:Name": funder["name"],
            "Grant Programme:Code": programme.get("code"),
            "Grant Programme:Title": programme.get("title"),
            "Grant Programme:URL": programme.get("url"),
            "From an open call?": grant.get("fromOpenCall"),
            "Last modified": grant["dateModified"],
            "Data Source": grant.get("dataSource"),
        }
