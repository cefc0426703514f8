"""Demo workspaces and applications: marked as demo, every state reached through the services,
desk counts that add up, idempotent, and proportional to ``--scale``."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from portal import demo as portal_demo
from portal.models import Organisation, User
from workspaces import demo, services
from workspaces.models import Application, DeskPool, Review, StatusChange, Tenancy, Workspace

pytestmark = pytest.mark.django_db
S = Application.Status


def seed_demo(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Workspace, DeskPool, Application, Review, StatusChange, Tenancy, Organisation, User)
    } | {"allocated": DeskPool.objects.aggregate(n=Sum("allocated"))["n"]}


def assert_desks_add_up() -> None:
    """Every pool holds exactly its open offers' desks plus its current tenancies' desks."""
    for pool in DeskPool.objects.all():
        offers = Application.objects.filter(status=S.OFFERED, offer_pool=pool).aggregate(n=Sum("offer_desks"))["n"]
        let = Tenancy.objects.current().filter(pool=pool).aggregate(n=Sum("desks"))["n"]
        assert pool.allocated == (offers or 0) + (let or 0), pool


def test_seed_demo_makes_demo_workspaces_and_every_state_once():
    first = seed_demo()
    assert "Demo workspaces: 5 (5 new), each marked (demo)" in first
    workspaces = list(Workspace.objects.select_related("provider"))
    assert len(workspaces) == 5
    assert all(w.summary.startswith("(demo)") for w in workspaces)
    assert all(w.provider.kind == Organisation.Kind.WORKSPACE_PROVIDER for w in workspaces)
    assert len({w.local_authority for w in workspaces}) == 5
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == {S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.OFFERED, S.ACCEPTED, S.DECLINED, S.WAITLISTED, S.REJECTED}
    assert Tenancy.objects.count() == Application.objects.filter(status=S.ACCEPTED).count() == 4
    reviewed = Application.objects.get(status=S.IN_REVIEW)
    assert reviewed.reviews.get().reviewer.email == "reviewer@example.org"
    accepted = Application.objects.filter(status=S.ACCEPTED).first()
    assert list(accepted.status_changes.values_list("to_status", flat=True)) == [
        S.DRAFT,
        S.SUBMITTED,
        S.IN_REVIEW,
        S.OFFERED,
        S.ACCEPTED,
    ]
    assert Application.objects.filter(decided_at__isnull=False, decision_working_days__isnull=False).count() == 9
    assert_desks_add_up()

    before = snapshot()
    second = seed_demo()
    assert "Demo workspaces: 5 (0 new)" in second
    assert "(0 new)" in second.split("demo applications:")[1]
    assert snapshot() == before


def test_the_demo_founder_has_an_offer_to_accept_and_a_draft_to_resume():
    seed_demo()
    founder = User.objects.get(email="founder@example.org")
    mine = Application.objects.visible_to(founder)
    assert set(mine.values_list("status", flat=True)) == {S.OFFERED, S.DRAFT}
    draft = mine.get(status=S.DRAFT)
    assert draft.firm_name and not draft.pitch  # part-way through the form
    assert services.application_missing_answers(application=draft)

    offer = mine.get(status=S.OFFERED)
    assert offer.organisation.members.filter(pk=founder.pk).exists()
    tenancy = services.application_accept_offer(application=offer, actor=founder)
    assert tenancy.desks == 2
    assert_desks_add_up()


def test_scale_makes_proportionally_more_applications_and_desks():
    portal_demo.seed(scale=2)
    counts = demo.seed(scale=2)
    assert counts["applications"] == 2 * len(demo.BATCH) + 2
    assert counts["new_applications"] == 2 * len(demo.BATCH) + 2
    assert Tenancy.objects.count() == 8
    hot = DeskPool.objects.get(workspace__slug="fazeley-yard-studios", desk_type="hot_desk")
    assert hot.capacity == 16
    assert_desks_add_up()
    assert demo.seed(scale=2)["new_applications"] == 0


def test_a_larger_scale_later_adds_the_missing_batches_and_grows_the_desks():
    portal_demo.seed(scale=1)
    demo.seed(scale=1)
    portal_demo.seed(scale=3)
    counts = demo.seed(scale=3)
    assert counts["new_applications"] == 2 * len(demo.BATCH)
    assert counts["new_workspaces"] == 0
    assert DeskPool.objects.get(workspace__slug="lock-street-labs", desk_type="fixed_desk").capacity == 15
    assert DeskPool.objects.get(workspace__slug="lock-street-labs", desk_type="private_office").capacity == 4
    assert Application.objects.filter(status=S.WAITLISTED).count() == 3  # growing desks offered none of them
    assert_desks_add_up()
