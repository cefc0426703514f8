"""The indicator catalogue sync and the reference figures loader."""

import re
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command

from missions.catalogue import CATALOGUE, COMPUTED_INDICATORS, indicator_catalogue_sync
from missions.models import Indicator, Observation
from missions.reference import REFERENCE_DIRECTORY, reference_figures_load

pytestmark = pytest.mark.django_db

HEADER = (
    "id,mission,topic,indicator,geography,period,value,unit,value_status,original_publisher,"
    "source_title,source_url,source_date,notes\n"
)


@pytest.fixture
def loaded():
    indicator_catalogue_sync()
    return reference_figures_load()


def _snapshot():
    return sorted(
        Observation.objects.values_list(
            "indicator__code", "period_label", "geography__code", "status", "value", "bound", "secondary", "notes"
        )
    )


def _row(row_id: str) -> Observation:
    return Observation.objects.get(notes__startswith=f"Reference row {row_id}:")


def test_catalogue_sync_is_idempotent_and_computed_indicators_have_a_function():
    first = indicator_catalogue_sync()
    second = indicator_catalogue_sync()
    assert first == second == len(CATALOGUE) == Indicator.objects.count()
    computed = Indicator.objects.filter(method=Indicator.Method.COMPUTED)
    assert computed.count() == len(COMPUTED_INDICATORS) == 51
    assert not computed.filter(computation="").exists()
    assert Indicator.objects.get(code="M1-04-5Y").computation == "survival_5y"
    assert Indicator.objects.filter(owner__isnull=False).count() == 0
    m2_01 = Indicator.objects.get(code="M2-01")
    assert (m2_01.baseline_value, m2_01.target_value) == (Decimal("22"), Decimal("15"))


def test_loading_twice_leaves_the_same_observations(loaded):
    before = _snapshot()
    again = reference_figures_load()
    assert again == loaded
    assert _snapshot() == before
    assert len(before) == loaded["loaded"] > 150


def test_a_bound_keeps_its_comparator(loaded):
    observation = _row("INV-BBB-WM-2023")
    assert observation.indicator.code == "M1-R-EQUITY"
    assert (observation.bound, observation.value) == (">", Decimal("120"))
    assert _row("CN-WM-2023-GIG").bound == ">"
    assert _row("RM-02").bound == ">="


def test_a_secondary_row_is_flagged_and_keeps_its_source(loaded):
    observation = _row("INV-BBB-WM-2024")
    assert observation.secondary
    assert observation.source_publisher == "British Business Bank (Small Business Equity Tracker 2025)"
    assert observation.source_url.startswith("https://www.warwickshireworld.com/")
    assert observation.source_title.startswith("More than £300 million")
    assert observation.source_date == "2025"
    assert observation.status == Observation.Status.PUBLISHED
    assert not _row("BD-UK-23-01").secondary


def test_roadmap_targets_become_target_observations(loaded):
    non_users = _row("RM-01")
    assert (non_users.indicator.code, non_users.status, non_users.value) == ("M2-01", "target", Decimal("15"))
    assert "Baseline 22" in non_users.notes
    assert non_users.period_start.year == 2026
    targets = dict(Observation.objects.filter(status=Observation.Status.TARGET).values_list("indicator__code", "value"))
    assert targets["M4-06"] == Decimal("40")
    assert targets["M4-03"] == Decimal("2000000")
    assert targets["M4-07"] == Decimal("95")
    assert targets["M5-06"] == Decimal("69")


def test_periods_are_parsed(loaded):
    fy = _row("FDI-DBT-WM-2022-23")
    assert (str(fy.period_start), str(fy.period_end)) == ("2022-04-01", "2023-03-31")
    part_year = _row("FDI-DBT-WM-2024-25")
    assert (str(part_year.period_start), str(part_year.period_end)) == ("2024-07-05", "2025-03-31")


def test_unknown_geography_or_value_is_skipped_with_a_reason(tmp_path):
    indicator_catalogue_sync()
    shutil.copy(REFERENCE_DIRECTORY / "tech_investment.csv", tmp_path / "tech_investment.csv")
    (tmp_path / "extra.csv").write_text(
        HEADER
        + "X-1,M1 economy,births,Business births,North East,2023,100,enterprises,published,ONS,T,https://x.org,2024,\n"
        + "X-2,M1 economy,births,Business births,England,2023,n/a,enterprises,published,ONS,T,https://x.org,2024,\n",
        encoding="utf-8",
    )
    result = reference_figures_load(directory=tmp_path)
    reasons = dict(result["skipped"])
    assert "North East" in reasons["X-1"] and "vocabulary" in reasons["X-1"]
    assert "not a number" in reasons["X-2"]
    assert result["loaded"] == Observation.objects.count() == 13
    assert not Observation.objects.filter(notes__startswith="Reference row X-").exists()


def test_command_prints_counts_and_skipped_rows(capsys):
    call_command("load_reference_figures")
    out = capsys.readouterr().out
    assert "Observations loaded:" in out
    assert "RM-12:" in out and "RM-08:" in out


def test_source_dates_are_dates_and_notes_say_what_the_source_gives(loaded):
    observations = list(Observation.objects.all())
    assert all(re.fullmatch(r"(\d{4}(-\d{2}(-\d{2})?)?)?", o.source_date) for o in observations)
    remarks = ("excerpt", "not captured", "not shown")
    assert not [o.notes for o in observations if any(remark in o.notes for remark in remarks)]
    full_fibre = _row("CN-COV-FF")
    assert (full_fibre.period_label, full_fibre.source_date) == ("2022", "")
    assert "the source gives no exact date" in full_fibre.notes
