"""Importing deals from CSV: a template to fill in; a file with one bad row imports nothing and
names the row and the field; a good file is previewed (possible duplicates of stored deals and of
earlier rows flagged, new investor organisations named) from the server's copy, then imported
all at once, once; another person's upload is a 404; a download imports back."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from funding.investment_csv import IMPORT_COLUMNS
from funding.investment_imports import investment_import_read
from funding.models import Investment, InvestmentImport, InvestmentInvestor
from portal.models import Organisation
from tests.funding.factories import InvestmentFactory, InvestorFactory, OpportunityFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("funding:investment-import")
HEADER = ",".join(IMPORT_COLUMNS)


def upload(client, text: str, name: str = "deals.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, text.encode("utf-8-sig"), "text/csv")})


@pytest.fixture
def registry():
    return {
        "firm": OrganisationFactory(name="Canal Robotics Ltd", company_number="01234567"),
        "other": OrganisationFactory(name="Foundry Games Ltd", company_number="SC123456"),
        "angels": InvestorFactory(name="Midlands Angel Network"),
        "bridge": InvestorFactory(name="Atlantic Bridge Ventures", company_number="09876543"),
    }


def good_file(opportunity_id: int | str = "") -> str:
    return "\r\n".join(
        [
            HEADER,
            '01234567,equity,seed,"£750,000",2025-03-31,Midlands Angel Network,GB,09876543,US,,Seed round,https://news.example/a',
            f"Foundry Games Ltd,grant,,25000,31/01/2025,Brand New Fund,gb,,,{opportunity_id},Prototype grant,"
            "Award letter",
            "01234567,equity,Seed,750000,2025-03-31,,,,,,Same round again,https://news.example/b",
            "SC123456,loan,,,2024-12-01,,,,,,,https://news.example/c",
        ]
    )


def test_the_template_names_every_column_with_an_example(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("funding:investment-import-template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header, example = response.content.decode().splitlines()
    assert header.split(",") == list(IMPORT_COLUMNS)
    assert example.startswith("01234567,equity,seed,750000,2025-03-31,")


def test_one_bad_row_imports_nothing_and_names_the_row_and_field(client, staff_user, registry):
    client.force_login(staff_user)
    text = good_file().replace("Award letter", "Award letter").replace(",25000,", ",25k,")
    response = upload(client, text)
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Row 3, amount_gbp: Enter whole pounds, like 250000, or leave it empty if the amount was not disclosed: not 25k"
        in page
    )
    assert "1 problem in the file: nothing was imported" in page
    assert not InvestmentImport.objects.exists() and not Investment.objects.exists()
    assert not Organisation.objects.filter(name="Brand New Fund").exists()


def test_every_problem_of_every_row_is_listed_at_once():
    OrganisationFactory(name="Canal Robotics Ltd", company_number="01234567")
    InvestorFactory(name="Funder (test)", kind="funder")
    text = "\n".join(
        [
            HEADER,
            "99999999,equity,seed,100,2025-01-01,,,,,,,x",
            "01234567,gift,seed,0,2099-01-01,,US,,,,,",
            "01234567,grant,seed,12.50,31/02/2025,Funder (test),XX,A; B,US,77777,,x",
            "Funder (test),loan,,,2025-01-01,,,,,,,x",
        ]
    )
    with pytest.raises(Exception) as caught:
        investment_import_read(text.encode())
    messages = caught.value.messages
    for expected in [
        "Row 2, firm: No firm has the Companies House number 99999999",
        "Row 3, kind: Enter equity, grant, loan or other: not gift",
        "Row 3, amount_gbp: The amount must be more than £0; leave it empty when it was not disclosed",
        "Row 3, date: The date cannot be in the future: record a deal once it has closed",
        "Row 3, lead_investor: Enter the lead investor, or leave its country empty",
        "Row 3, source: Say where the figure comes from: a web address or a document",
        "Row 4, stage: Only equity rounds have a stage: leave it empty for a grant",
        "Row 4, amount_gbp: Enter whole pounds, without pence: not 12.50",
        "Row 4, date: Enter a real date as 2025-03-31 or 31/03/2025: not 31/02/2025",
        "Row 4, lead_investor_country: Choose a country from the list (a two-letter code like GB or US)",
        "Row 4, other_investor_countries: Give one country for each of the 2 other investors, in the same order "
        "(there are 1)",
        "Row 4, opportunity: No listed funding opportunity has the id 77777",
        "Row 5, firm: Funder (test) is a funder, not a firm",
    ]:
        assert expected in messages, (expected, messages)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("firm,kind,date\n1,equity,2025-01-01\n", "The file has no source column"),
        (HEADER + ",colour\n", "Unknown columns colour"),
        (HEADER + "\n", "The file has a header but no rows of investments"),
        ("firm,firm,kind,date,source\n", "The columns firm appear more than once"),
    ],
)
def test_a_file_of_the_wrong_shape_says_why(client, staff_user, text, message):
    client.force_login(staff_user)
    response = upload(client, text)
    assert response.status_code == 400 and message in response.content.decode()


def test_a_file_that_is_not_utf8_csv_says_how_to_save_it(client, staff_user):
    client.force_login(staff_user)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("deals.xlsx", b"PK\x03\x04\xff\xfe\x00", "text/csv")})
    assert response.status_code == 400 and "CSV UTF-8" in response.content.decode()
    response = client.post(IMPORT, {})
    assert response.status_code == 400 and "Choose the CSV file to import" in response.content.decode()


def test_a_good_file_is_previewed_then_imported_all_at_once_and_once(client, staff_user, registry):
    stored = InvestmentFactory(
        firm=registry["other"], kind="loan", stage="", amount_gbp=None, announced_on=datetime.date(2024, 12, 1)
    )
    opportunity = OpportunityFactory(title="Prototype fund")
    client.force_login(staff_user)
    response = upload(client, good_file(opportunity.pk))
    upload_row = InvestmentImport.objects.get()
    preview_url = reverse("funding:investment-import-preview", args=[upload_row.pk])
    assert response.status_code == 303 and response["Location"] == preview_url
    assert upload_row.row_count == 4 and not Investment.objects.exclude(pk=stored.pk).exists()

    page = client.get(preview_url).content.decode()
    assert (
        "Importing adds 4 investments, 2 of them flagged as possible duplicates, and 1 new investor organisation"
        in page
    )
    assert "Brand New Fund" in page and "row 2 of this file" in page and f"investment #{stored.pk}" in page

    response = client.post(preview_url)
    assert response.status_code == 303 and response["Location"].startswith(reverse("funding:investment-list"))
    imported = list(Investment.objects.filter(origin="import").order_by("pk"))
    assert len(imported) == 4
    assert all(i.created_by == staff_user for i in imported)
    by_source = {i.source: i for i in imported}
    first = by_source["https://news.example/a"]
    assert (first.amount_gbp, first.stage, first.possible_duplicate_of) == (750_000, "seed", None)
    assert by_source["https://news.example/b"].possible_duplicate_of == first
    assert by_source["https://news.example/c"].possible_duplicate_of == stored
    assert by_source["Award letter"].opportunity == opportunity
    assert by_source["Award letter"].investor_rows.get().investor.name == "Brand New Fund"
    assert (
        set(first.investor_rows.values_list("investor__name", "is_lead", "country"))
        == {
            ("Midlands Angel Network", True, "GB"),
            ("Atlantic Bridge Ventures", False, "US"),
        }
        or "listed twice"
    )
    assert first.history.get().history_change_reason == "Imported from deals.csv"

    # Confirming again creates nothing; the page says it was imported.
    assert client.post(preview_url).status_code == 303
    assert Investment.objects.filter(origin="import").count() == 4
    assert "This file was imported on" in client.get(preview_url).content.decode()


def test_the_same_investor_twice_in_a_row_is_refused(registry):
    text = HEADER + "\n01234567,equity,seed,100,2025-01-01,Atlantic Bridge Ventures,US,09876543,US,,,x\n"
    with pytest.raises(Exception) as caught:
        investment_import_read(text.encode())
    assert caught.value.messages == [
        "Row 2, other_investors: Atlantic Bridge Ventures is listed twice: list each investor once"
    ]


def test_another_persons_upload_is_a_404(client, staff_user, make_user, registry):
    client.force_login(staff_user)
    upload(client, good_file())
    url = reverse("funding:investment-import-preview", args=[InvestmentImport.objects.get().pk])
    client.force_login(make_user("staff"))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Investment.objects.exists()


def test_an_old_upload_cannot_be_confirmed_and_is_cleared_by_the_next(client, staff_user, registry):
    client.force_login(staff_user)
    upload(client, good_file())
    old = InvestmentImport.objects.get()
    InvestmentImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    url = reverse("funding:investment-import-preview", args=[old.pk])
    assert "more than a day old" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 400 and not Investment.objects.exists()
    upload(client, good_file())
    assert list(InvestmentImport.objects.values_list("pk", flat=True)) != [old.pk]
    assert not InvestmentImport.objects.filter(pk=old.pk).exists()


def test_a_firm_gone_since_the_upload_stops_the_whole_import(client, staff_user, registry):
    client.force_login(staff_user)
    upload(client, good_file())
    url = reverse("funding:investment-import-preview", args=[InvestmentImport.objects.get().pk])
    registry["other"].delete()
    response = client.post(url)
    assert response.status_code == 400
    assert "Row 3, firm: The firm is no longer in the registry" in response.content.decode()
    assert not Investment.objects.exists() and not InvestmentInvestor.objects.exists()
    assert not Organisation.objects.filter(name="Brand New Fund").exists()


def test_a_download_imports_back_with_every_deal_flagged(client, staff_user, registry):
    InvestmentFactory(firm=registry["firm"], lead=(registry["bridge"], "US"))
    InvestmentFactory(firm=registry["other"], grant=True, amount_gbp=None)
    client.force_login(staff_user)
    text = b"".join(client.get(reverse("funding:investment-export")).streaming_content).decode()
    assert upload(client, text).status_code == 303
    client.post(reverse("funding:investment-import-preview", args=[InvestmentImport.objects.get().pk]))
    imported = Investment.objects.filter(origin="import")
    assert imported.count() == 2 and imported.flagged().count() == 2


def test_only_staff_import(client, founder_user):
    client.force_login(founder_user)
    assert upload(client, good_file()).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_confirmed_twice_at_once_is_imported_once(postgres, staff_user, registry):
    from funding.investment_imports import investment_import_confirm, investment_import_prepare
    from portal.permissions import Actor
    from tests.conftest import run_at_once

    actor = Actor(user=staff_user)
    upload_row = investment_import_prepare(content=good_file().encode(), file_name="deals.csv", actor=actor)
    results = run_at_once([lambda: investment_import_confirm(investment_import=upload_row, actor=actor)] * 2)
    assert all(isinstance(r, InvestmentImport) for r in results), results
    assert Investment.objects.filter(origin="import").count() == 4
    assert Organisation.objects.filter(name="Brand New Fund").count() == 1
