import pytest


@pytest.mark.django_db
def test_roles_exist_after_migrations():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "staff",
        "reviewer",
        "ambassador",
        "founder",
        "partner_admin",
    }
