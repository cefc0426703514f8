"""Funding alerts: anyone signed in saves, changes and deletes their own alert criteria; every error
at once with a 400; post/redirect/get; another person's alert is a 404; the list's query count does
not grow."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from funding import alerts
from funding.models import MAX_ALERTS_PER_USER, Alert
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("funding:alert-list")
CREATE = reverse("funding:alert-create")


def update_url(alert: Alert) -> str:
    return reverse("funding:alert-update", args=[alert.pk])


def delete_url(alert: Alert) -> str:
    return reverse("funding:alert-delete", args=[alert.pk])


def make_alert(user, **data) -> Alert:
    return alerts.alert_create(user=user, data={"kinds": ["grant"], "sector": "fintech", "words": "", **data})


@pytest.fixture
def person():
    return UserFactory()


def test_anyone_signed_in_saves_an_alert_and_sees_it_listed(client, person):
    client.force_login(person)
    assert client.get(CREATE).status_code == 200
    response = client.post(
        CREATE, {"kinds": ["loan", "grant"], "sector": "fintech", "words": "  net   zero ", "is_active": "on"}
    )
    assert response.status_code == 303 and response["Location"] == LIST
    alert = Alert.objects.get(user=person)
    assert (alert.kinds, alert.sector, alert.words, alert.is_active) == (["grant", "loan"], "fintech", "net zero", True)
    page = client.get(LIST).content.decode()
    assert "Saved your alert: Grants or loans for fintech firms, with the words “net zero”." in page
    assert "/funding/?q=net+zero&amp;kind=grant&amp;kind=loan&amp;sector=fintech" in page
    assert "None" not in page


def test_the_form_is_filled_in_from_a_catalogue_search(client, person):
    client.force_login(person)
    page = client.get(CREATE, {"q": "robots", "kind": ["prize", "bogus"], "sector": "nope", "page": "3"})
    content = page.content.decode()
    assert 'value="robots"' in content
    assert 'value="prize" checked' in content
    assert 'value="grant" checked' not in content


def test_the_catalogue_links_to_an_alert_for_its_search(client):
    page = client.get(reverse("funding:opportunity-list"), {"q": "robots", "kind": "grant", "page": "2"})
    assert f'href="{CREATE}?q=robots&amp;kind=grant"' in page.content.decode()


def test_every_error_at_once_with_a_400(client, person):
    client.force_login(person)
    response = client.post(CREATE, {"kinds": ["grant", "bogus"], "sector": "nope", "words": "x" * 201})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose kinds of funding from the list" in page
    assert "Choose a sector from the list" in page
    assert "Enter at most 200 characters of words to look for" in page
    assert page.count('class="govuk-error-summary"') == 1
    assert not Alert.objects.exists()


def test_the_same_criteria_twice_are_refused(client, person):
    make_alert(person, words="AI")
    client.force_login(person)
    response = client.post(CREATE, {"kinds": ["grant"], "sector": "fintech", "words": " AI "})
    assert response.status_code == 400
    assert "You already have an alert with these choices" in response.content.decode()
    assert Alert.objects.count() == 1


def test_at_most_ten_alerts_a_person(client, person):
    for n in range(MAX_ALERTS_PER_USER):
        make_alert(person, words=f"topic {n}")
    client.force_login(person)
    assert "Add an alert" not in client.get(LIST).content.decode()
    response = client.post(CREATE, {"words": "one more"})
    assert response.status_code == 400
    assert "delete one before adding another" in response.content.decode()
    with pytest.raises(ValidationError):
        make_alert(person, words="and another")


def test_change_an_alert_and_stop_its_emails(client, person):
    alert = make_alert(person)
    client.force_login(person)
    page = client.get(update_url(alert)).content.decode()
    assert 'value="grant" checked' in page and 'value="fintech" selected' in page
    response = client.post(update_url(alert), {"kinds": ["equity"], "sector": "", "words": "seed"})
    assert response.status_code == 303
    alert.refresh_from_db()
    assert (alert.kinds, alert.sector, alert.words, alert.is_active) == (["equity"], "", "seed", False)
    page = client.get(LIST).content.decode()
    assert "It is not emailed: tick the box to get the digest." in page
    assert "None of your alerts is emailed now" in page


def test_delete_an_alert_after_confirming(client, person):
    alert = make_alert(person)
    client.force_login(person)
    assert "Delete your alert?" in client.get(delete_url(alert)).content.decode()
    assert Alert.objects.filter(pk=alert.pk).exists()
    response = client.post(delete_url(alert))
    assert response.status_code == 303 and response["Location"] == LIST
    assert not Alert.objects.filter(pk=alert.pk).exists()
    assert "Deleted your alert" in client.get(LIST).content.decode()


def test_another_persons_alert_is_404_and_is_left_alone(client, person, staff_user):
    theirs = make_alert(UserFactory(), words="private")
    for user in (person, staff_user):
        client.force_login(user)
        assert client.get(update_url(theirs)).status_code == 404
        assert client.post(update_url(theirs), {"words": "mine now"}).status_code == 404
        assert client.get(delete_url(theirs)).status_code == 404
        assert client.post(delete_url(theirs)).status_code == 404
        assert "private" not in client.get(LIST).content.decode()
    theirs.refresh_from_db()
    assert theirs.words == "private"
    assert client.get(update_url(Alert(pk=987654))).status_code == 404


def test_the_signed_out_are_sent_to_sign_in(client, person):
    alert = make_alert(person)
    for url in (LIST, CREATE, update_url(alert), delete_url(alert)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(CREATE, {"words": "x"})
    assert response.status_code == 302 and not Alert.objects.filter(words="x").exists()


def test_the_services_refuse_other_people():
    owner, other = UserFactory(), UserFactory()
    alert = make_alert(owner)
    with pytest.raises(PermissionDenied):
        alerts.alert_update(alert=alert, user=other, data={"words": "x"})
    with pytest.raises(PermissionDenied):
        alerts.alert_delete(alert=alert, user=other)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        alerts.alert_create(user=AnonymousUser(), data={})


def test_an_alert_with_no_criteria_matches_every_new_opportunity(person):
    alert = alerts.alert_create(user=person, data={})
    assert alert.summary == "Every new opportunity"
    assert alert.catalogue_query == {}
    assert make_alert(person, sector="ai_data").summary == "Grants for AI and data firms"
    words_only = alerts.alert_create(user=person, data={"words": "5G"})
    assert words_only.summary == "Every kind of funding, with the words “5G”"


def test_list_query_count_does_not_grow_with_alerts(client, person, count_queries):
    client.force_login(person)
    make_alert(person)
    client.get(LIST)
    with count_queries() as few:
        assert client.get(LIST).status_code == 200
    for n in range(MAX_ALERTS_PER_USER - 1):
        make_alert(person, words=f"topic {n}", is_active=n % 2 == 0)
    with count_queries() as many:
        assert client.get(LIST).status_code == 200
    assert many.count == few.count, [q["sql"] for q in many.captured_queries]


def test_the_summary_lists_several_kinds_in_a_sentence(person):
    every_kind = alerts.alert_create(user=person, data={"kinds": ["prize", "grant", "loan"], "words": "AI"})
    assert every_kind.summary == "Grants, loans or prizes and competitions, with the words “AI”"
