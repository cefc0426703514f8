"""Signed-in users are loaded with their roles and TOTP set-up in one query, and every change to
either takes effect on the next request."""

import pytest
from django.urls import reverse

from portal.roles import Role, role_group
from tests.conftest import DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_reads_the_user_roles_and_second_factor_in_one_query(client, staff_user, count_queries):
    client.force_login(staff_user)
    client.get(reverse("portal:accessibility"))
    with count_queries() as queries:
        assert client.get(reverse("portal:accessibility")).status_code == 200
    assert queries.count == 2, [q["sql"] for q in queries.captured_queries]  # the session and the user


def test_a_role_taken_away_is_gone_on_the_next_request(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    staff_user.groups.remove(role_group(Role.STAFF))
    assert client.get(reverse("portal:dashboard")).status_code == 403


def test_totp_set_up_counts_from_the_next_request(client, make_user):
    from allauth.mfa.totp.internal.auth import TOTP

    reviewer = make_user(Role.REVIEWER, mfa=False)
    client.force_login(reviewer)
    response = client.get(reverse("workspaces:review-queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    TOTP.activate(reviewer, DEMO_TOTP_SECRET)
    assert client.get(reverse("workspaces:review-queue")).status_code == 200


def test_a_deactivated_account_is_signed_out(client, founder_user):
    client.force_login(founder_user)
    assert client.get(reverse("workspaces:application-list")).status_code == 200
    founder_user.is_active = False
    founder_user.save(update_fields=["is_active"])
    response = client.get(reverse("workspaces:application-list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
