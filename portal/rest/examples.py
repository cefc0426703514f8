"""An example request body for every write of the API, shown in the documentation and sent by the
schema tests (schemathesis sends a schema's examples), so each one is known to be accepted as
shaped. Keyed by operation: ``"<METHOD> <path>"`` as the schema names it. A write without an
example fails ``tests/api/test_examples.py``.
"""

_ORGANISATION = {
    "name": "Quantum Forge Ltd",
    "kind": "firm",
    "company_number": "12345678",
    "website": "https://quantumforge.example",
    "sector": "ai_data",
    "local_authority": "coventry",
    "founded_on": "2021-03-15",
    "origin": "home_grown",
    "is_tech": True,
}
_FIRM_YEAR = {
    "employees": 42,
    "turnover_gbp": 3_100_000,
    "leadership_total": 6,
    "leadership_disclosed": 6,
    "leadership_women": 3,
    "leadership_ethnic_minority": 2,
    "staff_total": 42,
    "staff_disclosed": 40,
    "staff_women": 17,
    "staff_ethnic_minority": 12,
    "consent": True,
    "as_of": "2025-03-31",
}
_OBSERVATION = {
    "geography": "E47000007",
    "period_start": "2024-01-01",
    "period_end": "2024-12-31",
    "value": 78.4,
    "source_title": "Annual Population Survey",
    "source_url": "https://www.nomisweb.co.uk/",
    "source_date": "2025-04-15",
}
_OPPORTUNITY = {
    "title": "Net Zero Digital Innovation Grant",
    "kind": "grant",
    "summary": "Grants of £25,000 to £100,000 for West Midlands firms whose software cuts emissions.",
    "amount_min_gbp": 25_000,
    "amount_max_gbp": 100_000,
    "opens_on": "2027-01-04",
    "closes_on": "2027-03-31",
    "rolling": False,
    "eligibility": "Registered in a WMCA borough, under 10 years old, 5 to 250 employees.",
    "sectors": ["cleantech", "software"],
    "boroughs": [],
    "stages": ["revenue", "scaling"],
    "firm_age_max_years": 10,
    "headcount_min": 5,
    "headcount_max": 250,
    "link": "https://funder.example/net-zero-digital",
}
_ACTIVITY = {
    "kind": "investor_meeting",
    "occurred_on": "2026-11-18",
    "place": "Toronto",
    "reach": 12,
    "notes": "Introduced two Ontario health-tech investors to the region's pipeline.",
}
_LEAD = {
    "name": "Maple Robotics Inc.",
    "summary": "Canadian warehouse-robotics firm looking for a UK engineering office.",
    "origin_country": "CA",
    "sector": "manufacturing",
    "kind": "fdi",
    "expected_jobs": 40,
    "expected_capital": 2_500_000,
}
_INVESTMENT = {
    "firm": 101,
    "kind": "equity",
    "stage": "series_a",
    "amount_gbp": 4_500_000,
    "announced_on": "2026-10-14",
    "title": "Series A to scale the platform across Europe",
    "source": "https://news.example/quantum-forge-series-a",
    "investors": [
        {"organisation": 201, "is_lead": True, "country": "US"},
        {"organisation": 202, "is_lead": False, "country": "GB"},
    ],
}
_WEBHOOK = {"url": "https://partner.example/hooks/portal", "events": ["observation.published", "opportunity.created"]}

REQUEST_EXAMPLES: dict[str, tuple[str, object]] = {
    "POST /api/v1/organisations/": ("A firm registered by a partner", _ORGANISATION),
    "PUT /api/v1/organisations/{id}/": ("Every field of the firm", _ORGANISATION),
    "PATCH /api/v1/organisations/{id}/": ("A new web address", {"website": "https://quantumforge.example/en"}),
    "POST /api/v1/organisations/{id}/years/": ("A firm's facts for 2024", {"year": 2024, **_FIRM_YEAR}),
    "PUT /api/v1/organisations/{id}/years/{year}/": ("The year's facts, replaced", _FIRM_YEAR),
    "POST /api/v1/organisations/years/bulk/": (
        "Two firms' facts at once",
        [{"organisation": 101, "year": 2024, **_FIRM_YEAR}, {"organisation": 102, "year": 2024, "employees": 7}],
    ),
    "POST /api/v1/indicators/{code}/observations/": ("A yearly value for the WMCA area", _OBSERVATION),
    "POST /api/v1/indicators/{code}/observations/bulk/": (
        "Two years at once",
        [_OBSERVATION, {**_OBSERVATION, "period_start": "2023-01-01", "period_end": "2023-12-31", "value": 76.9}],
    ),
    "POST /api/v1/funding-opportunities/": ("A grant for clean-tech software", _OPPORTUNITY),
    "PUT /api/v1/funding-opportunities/{id}/": ("Every field of the opportunity", _OPPORTUNITY),
    "PATCH /api/v1/funding-opportunities/{id}/": ("A later closing date", {"closes_on": "2027-04-30"}),
    "POST /api/v1/ambassador-activities/": ("A meeting with investors", _ACTIVITY),
    "PUT /api/v1/ambassador-activities/{id}/": ("The activity, corrected", {**_ACTIVITY, "reach": 14}),
    "POST /api/v1/leads/": ("A lead from Canada", _LEAD),
    "PATCH /api/v1/leads/{id}/": ("More jobs expected", {"expected_jobs": 55}),
    "POST /api/v1/leads/{id}/move/": ("Qualified, at version 1", {"stage": "qualified", "version": 1}),
    "POST /api/v1/investments/": ("A Series A led by a US investor", _INVESTMENT),
    "PUT /api/v1/investments/{id}/": ("Every field of the deal", _INVESTMENT),
    "PATCH /api/v1/investments/{id}/": ("The amount, now disclosed", {"amount_gbp": 4_750_000}),
    "POST /api/v1/investments/bulk/": (
        "A round and an undisclosed grant",
        [
            _INVESTMENT,
            {
                "firm": 102,
                "kind": "grant",
                "amount_gbp": None,
                "announced_on": "2026-09-01",
                "source": "https://funder.example/awards-2026",
            },
        ],
    ),
    "POST /api/v1/webhook-subscriptions/": ("Values and new opportunities", _WEBHOOK),
    "PATCH /api/v1/webhook-subscriptions/{id}/": ("Another address", {"url": "https://partner.example/hooks/v2"}),
}


def declare_request_examples(result, generator, request, public):
    """Put each write's example on its JSON request body (``examples``, named by its summary)."""
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            example = REQUEST_EXAMPLES.get(f"{method.upper()} {path}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json") if example else None
            if body is not None:
                summary, value = example
                body["examples"] = {"example": {"summary": summary, "value": value}}
    return result
