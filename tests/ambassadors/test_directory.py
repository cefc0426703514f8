"""The public directory and profile pages, and the staff network list: only consenting profiles of
ambassadors on the network are public; filters and their errors (400); cached pages that follow
every write; query counts that do not grow with the network."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from ambassadors.models import Ambassador, AmbassadorSector, Lead
from portal.models import User
from portal.page_cache import data_version_bump
from portal.roles import Role
from tests.ambassadors.factories import ActivityFactory, AmbassadorFactory, InvitationFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("ambassadors:directory")
NETWORK = reverse("ambassadors:network-list")


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def profile_url(ambassador) -> str:
    return reverse("ambassadors:directory-profile", args=[ambassador.pk])


@pytest.fixture
def network():
    """Public: Aiko (Japan, fintech) and Ben (India, software, paused). Not public: Chandra
    (no consent), Dana (retired, consented), Eve (invited)."""
    return {
        "aiko": AmbassadorFactory(full_name="Aiko Tanaka", country="JP", sectors=["fintech"], public=True),
        "ben": AmbassadorFactory(full_name="Ben Kumar", country="IN", sectors=["software"], public=True, paused=True),
        "chandra": AmbassadorFactory(full_name="Chandra Rao", country="IN", sectors=["software"]),
        "dana": AmbassadorFactory(full_name="Dana Lee", country="JP", public=True, retired=True),
        "eve": AmbassadorFactory(full_name="Eve Invited", invited=True, public=True, country="", sectors=[]),
    }


def test_the_directory_lists_only_consenting_ambassadors_on_the_network(client, network):
    page = text(client.get(DIRECTORY))
    assert "Aiko Tanaka" in page and "Ben Kumar" in page
    for name in ("Chandra Rao", "Dana Lee", "Eve Invited"):
        assert name not in page
    assert client.get(profile_url(network["aiko"])).status_code == 200
    for key in ("chandra", "dana", "eve"):
        assert client.get(profile_url(network[key])).status_code == 404


def test_a_public_profile_shows_public_fields_and_nothing_private(client, network):
    aiko = network["aiko"]
    response = client.get(profile_url(aiko))
    page = text(response)
    assert "Aiko Tanaka" in page and "Japan" in page and "Fintech" in page and aiko.expertise in page
    assert aiko.user.email not in response.content.decode()
    assert "None" not in page


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("country=JP", {"Aiko Tanaka"}),
        ("sector=software", {"Ben Kumar"}),
        ("country=IN&sector=fintech", set()),
        ("", {"Aiko Tanaka", "Ben Kumar"}),
    ],
)
def test_the_directory_filters_by_country_and_sector(client, network, query, names):
    response = client.get(f"{DIRECTORY}?{query}")
    assert response.status_code == 200
    assert {a.full_name for a in response.context["page_obj"].object_list} == names


@pytest.mark.parametrize(
    ("query", "message"), [("country=XX", "Choose a country from the list"), ("sector=nope", "Choose a sector")]
)
def test_a_bad_filter_is_a_field_error(client, network, query, message):
    response = client.get(f"{DIRECTORY}?{query}")
    assert response.status_code == 400 and message in text(response)


def test_the_cached_directory_follows_a_new_consent(client, network):
    assert "Chandra Rao" not in text(client.get(DIRECTORY))
    Ambassador.objects.filter(pk=network["chandra"].pk).update(public_profile=True)
    data_version_bump("ambassadors")  # as the profile service does
    assert "Chandra Rao" in text(client.get(DIRECTORY))


def test_a_cached_directory_page_runs_one_query(client, network, count_queries):
    client.get(DIRECTORY)
    with count_queries() as hit:
        response = client.get(DIRECTORY)
    assert response.status_code == 200 and "Aiko Tanaka" in text(response)
    assert hit.count == 1  # the data versions


def grow(n: int, *, public: bool) -> None:
    """``n`` more ambassadors in bulk, each with two sectors, an activity and a lead."""
    start = Ambassador.objects.count()
    users = User.objects.bulk_create(User(email=f"bulk{start + i}@example.org") for i in range(n))
    rows = Ambassador.objects.bulk_create(
        Ambassador(
            user=user,
            full_name=f"Bulk Ambassador {start + i:04d}",
            status="paused",
            country="FR",
            public_profile=public,
        )
        for i, user in enumerate(users)
    )
    AmbassadorSector.objects.bulk_create(
        AmbassadorSector(ambassador=a, sector=s) for a in rows for s in ("software", "cyber")
    )
    firm = OrganisationFactory()
    landed = {"stage": "landed", "organisation": firm, "landed_on": datetime.date(2026, 3, 1), "new_jobs": 5}
    landed |= {"safeguarded_jobs": 0, "capital_invested": 100_000}
    Lead.objects.bulk_create(Lead(name=f"Lead of {a.pk}", referred_by=a, **(landed if a.pk % 2 else {})) for a in rows)
    for a in rows[:5]:
        ActivityFactory(ambassador=a)
    data_version_bump("ambassadors")


def test_the_directory_keeps_its_query_count(client, network, count_queries, _empty_caches):
    from django.core.cache import caches

    from portal.page_cache import CACHE_ALIAS

    grow(8, public=True)  # 10 public
    caches[CACHE_ALIAS].clear()
    with count_queries() as few:
        assert client.get(DIRECTORY + "?sector=software").status_code == 200
    grow(300, public=True)
    caches[CACHE_ALIAS].clear()
    with count_queries() as many:
        response = client.get(DIRECTORY + "?sector=software")
    assert response.context["page_obj"].paginator.count == 309
    assert many.count == few.count


# Staff ---------------------------------------------------------------------------------------


def test_staff_see_every_ambassador_with_status_activity_and_leads(client, staff_user, network):
    ActivityFactory(ambassador=network["chandra"])
    Lead.objects.create(name="Osaka Pay", referred_by=network["chandra"])
    client.force_login(staff_user)
    response = client.get(NETWORK)
    page = text(response)
    assert all(a.full_name in page for a in network.values())
    row = next(a for a in response.context["page_obj"].object_list if a.full_name == "Chandra Rao")
    assert (row.leads_referred, row.leads_landed, row.last_activity_on) == (
        1,
        0,
        network["chandra"].activities.get().occurred_on,
    )
    assert "None" not in page


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("status=paused", {"Ben Kumar"}),
        ("status=invited", {"Eve Invited"}),
        ("country=IN&sector=software", {"Ben Kumar", "Chandra Rao"}),
        ("country=JP&status=retired", {"Dana Lee"}),
    ],
)
def test_the_network_list_filters_by_country_sector_and_status(client, staff_user, network, query, names):
    client.force_login(staff_user)
    response = client.get(f"{NETWORK}?{query}")
    assert {a.full_name for a in response.context["page_obj"].object_list} == names


def test_a_bad_network_filter_is_a_field_error(client, staff_user, network):
    client.force_login(staff_user)
    response = client.get(f"{NETWORK}?status=asleep")
    assert response.status_code == 400 and "Choose a status from the list" in text(response)


def test_the_network_list_follows_a_new_invitation(client, staff_user, network):
    client.force_login(staff_user)
    assert "Fay New" not in text(client.get(NETWORK))
    from ambassadors import services

    services.invitation_create(email="fay@example.org", full_name="Fay New", actor=staff_user)
    assert "Fay New" in text(client.get(NETWORK))


def test_the_network_list_keeps_its_query_count(client, staff_user, network, count_queries):
    from django.core.cache import caches

    from portal.page_cache import CACHE_ALIAS

    InvitationFactory()
    grow(5, public=False)  # 11 in all
    client.force_login(staff_user)
    client.get(NETWORK)
    caches[CACHE_ALIAS].clear()
    with count_queries() as few:
        assert client.get(NETWORK).status_code == 200
    grow(300, public=False)
    caches[CACHE_ALIAS].clear()
    with count_queries() as many:
        response = client.get(NETWORK)
    assert response.context["page_obj"].paginator.count == 311
    assert many.count == few.count


@pytest.mark.parametrize("role", [Role.AMBASSADOR, Role.FOUNDER, Role.REVIEWER])
def test_the_network_list_refuses_other_roles(client, make_user, role):
    client.force_login(make_user(role, mfa=role != Role.FOUNDER))
    assert client.get(NETWORK).status_code == 403
