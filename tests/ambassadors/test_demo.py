"""The demo ambassador network: 40 ambassadors in 25 countries, activities over two years, leads in
every stage with their history, the demo ambassador's own leads with a landed one, a pending
invitation and target markets with gaps; deterministic, marked as demo, idempotent, and counted by
the indicators after ``seed_demo``'s KPI refresh."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from ambassadors import demo, selectors
from ambassadors.models import Activity, Ambassador, AmbassadorSector, Invitation, Lead, LeadChange, TargetMarket
from missions.models import Observation
from portal import demo as portal_demo
from portal.models import DataVersion, Organisation, User
from portal.roles import Role

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "ambassadors": list(Ambassador.objects.order_by("pk").values_list("full_name", "country", "status")),
        "sectors": AmbassadorSector.objects.count(),
        "activities": list(Activity.objects.order_by("pk").values_list("kind", "occurred_on")),
        "leads": list(Lead.objects.order_by("pk").values_list("name", "stage", "kind", "new_jobs", "capital_invested")),
        "targets": TargetMarket.objects.count(),
    }


def test_seed_demo_makes_the_network_the_issue_describes():
    out = seed_demo()
    assert "Demo ambassador network: 41 ambassadors in 25 countries" in out
    on_network = Ambassador.objects.exclude(status="invited")
    assert on_network.count() == 41
    assert on_network.values("country").distinct().count() == 25
    assert set(on_network.values_list("status", flat=True)) == {"active", "paused", "retired"}
    assert all(name.endswith("(demo)") for name in Ambassador.objects.values_list("full_name", flat=True))
    assert not on_network.filter(user__isnull=True).exists()
    assert not on_network.exclude(user__groups__name=Role.AMBASSADOR).exists()
    assert not on_network.filter(sectors__isnull=True).exists()

    today = timezone.localdate()
    days = Activity.objects.values_list("occurred_on", flat=True)
    assert min(days) >= today - datetime.timedelta(days=730) and max(days) <= today
    assert max(days) - min(days) > datetime.timedelta(days=500)  # spread over about two years

    assert set(Lead.objects.values_list("stage", flat=True)) == set(Lead.Stage.values)
    for lead in Lead.objects.filter(stage="landed").select_related("organisation"):
        assert lead.new_jobs is not None and lead.capital_invested > 0 and lead.landed_on <= today
        assert lead.organisation.company_number.startswith("SY")
    assert Lead.objects.filter(stage="lost").exclude(lost_reason="").exists()
    # Every lead's history runs from its referral to its current stage.
    for lead in Lead.objects.prefetch_related("changes"):
        changes = list(lead.changes.all())
        assert changes[0].from_stage == "" and changes[0].to_stage == "referred"
        assert changes[-1].to_stage == lead.stage
        assert lead.version == len(changes)
        assert [c.changed_at for c in changes] == sorted(c.changed_at for c in changes)


def test_the_demo_ambassador_has_leads_of_their_own_including_a_landed_one():
    seed_demo()
    mine = Ambassador.objects.get(user__email="ambassador@example.org")
    assert mine.status == "active" and mine.public_profile
    stages = set(Lead.objects.filter(referred_by=mine).values_list("stage", flat=True))
    assert {"landed", "referred", "lost"} <= stages
    assert Activity.objects.filter(ambassador=mine).exists()


def test_there_is_a_pending_invitation_and_target_markets_with_gaps():
    seed_demo()
    invitation = Invitation.objects.get(status="pending")
    assert invitation.ambassador.status == "invited" and invitation.expires_at > timezone.now()
    assert len(invitation.token_hash) == 64
    assert TargetMarket.objects.count() == len(demo.TARGETS)
    gaps = [(name, cell.sector) for name, cell in selectors.network_coverage().gaps]
    assert ("Norway", "cleantech") in gaps and ("Vietnam", "software") in gaps


def test_seeding_again_adds_nothing_and_bumps_the_data_key_once():
    seed_demo()
    before, version = snapshot(), DataVersion.objects.get(key="ambassadors").version
    counts = {model: model.objects.count() for model in (LeadChange, Invitation, Organisation)}
    assert demo.seed()["new"] is False
    assert snapshot() == before
    assert {model: model.objects.count() for model in counts} == counts
    assert DataVersion.objects.get(key="ambassadors").version == version


def test_the_same_seed_gives_the_same_network():
    portal_demo.seed()
    demo.seed()
    first = snapshot()
    version = DataVersion.objects.get(key="ambassadors").version
    for model in (LeadChange, Lead, Activity, Invitation, AmbassadorSector, TargetMarket, Ambassador):
        model.objects.all().delete()
    Organisation.objects.filter(company_number__startswith="SY9").delete()
    User.objects.filter(email__startswith="demo-ambassador-").delete()
    demo.seed()
    second = snapshot()
    assert [row[1:] for row in first["ambassadors"]] == [row[1:] for row in second["ambassadors"]]
    assert [row[0] for row in first["ambassadors"]] == [row[0] for row in second["ambassadors"]]
    assert first["leads"] == second["leads"] and first["activities"] == second["activities"]
    assert DataVersion.objects.get(key="ambassadors").version > version


def test_the_kpi_refresh_of_seed_demo_counts_the_demo_network():
    seed_demo()
    year = str(timezone.localdate().year)
    landed_this_year = Lead.objects.filter(stage="landed", landed_on__year=int(year))
    fdi = Observation.objects.filter(indicator__code="M1-11", status="computed", period_label=year).first()
    assert fdi is not None and fdi.value == landed_this_year.filter(kind="fdi").count()
    active = Observation.objects.filter(indicator__code="M1-15A", status="computed").order_by("period_end").last()
    assert active.value > 20
