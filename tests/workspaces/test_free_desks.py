"""Founders see the desks free now before asking: the needs step lists them for the chosen
workspaces and desk type, and warns (never refuses) when more are asked for than are free."""

import re

import pytest
from django.urls import reverse

from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory
from workspaces import services
from workspaces.models import Application, DeskPool, DeskType

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def needs_url(application: Application) -> str:
    return reverse("workspaces:application-step", kwargs={"pk": application.pk, "step": "needs"})


@pytest.fixture
def workspaces():
    alpha = WorkspaceFactory(name="Alpha Works", pools={DeskType.FIXED_DESK: 4, DeskType.HOT_DESK: 10})
    beta = WorkspaceFactory(name="Beta Yard", pools={DeskType.FIXED_DESK: 2})
    DeskPool.objects.filter(workspace=alpha, desk_type=DeskType.FIXED_DESK).update(allocated=1)
    return alpha, beta


def test_the_needs_step_shows_free_desks_of_the_chosen_type_at_the_chosen_workspaces(client, founder_user, workspaces):
    draft = ApplicationFactory(applicant=founder_user, workspaces=list(workspaces), desks=3)
    client.force_login(founder_user)
    content = text(client.get(needs_url(draft)))
    assert "Fixed desks free now at the workspaces you chose:" in content
    assert "<li>Alpha Works: 3</li>" in content and "<li>Beta Yard: 2</li>" in content
    assert "You asked for" not in content


def test_asking_for_more_desks_than_are_free_is_a_warning_not_a_refusal(client, founder_user, workspaces):
    alpha, beta = workspaces
    draft = ApplicationFactory(applicant=founder_user, workspaces=[alpha, beta], desks=7)
    client.force_login(founder_user)
    content = text(client.get(needs_url(draft)))
    assert "You asked for 7 fixed desks, but at most 3 are free now. You can still apply" in content
    # Submitting the draft with those answers is still allowed: the waiting list is there for it.
    services.application_submit(application=draft, actor=founder_user)
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED


def test_the_warning_follows_the_answers_as_sent_when_the_step_is_shown_again(client, founder_user, workspaces):
    alpha, beta = workspaces
    draft = ApplicationFactory(applicant=founder_user, workspaces=[alpha], desks=1)
    client.force_login(founder_user)
    response = client.post(
        needs_url(draft),
        {"workspaces": [str(beta.pk)], "desk_type": DeskType.FIXED_DESK, "desks": "5", "start_on_day": "x"},
    )
    assert response.status_code == 400
    content = text(response)
    assert "<li>Beta Yard: 2</li>" in content
    assert "You asked for 5 fixed desks, but at most 2 are free now." in content


def test_a_workspace_without_the_desk_type_has_none_free(client, founder_user, workspaces):
    alpha, beta = workspaces
    draft = ApplicationFactory(applicant=founder_user, workspaces=[beta], desk_type=DeskType.HOT_DESK, desks=1)
    client.force_login(founder_user)
    content = text(client.get(needs_url(draft)))
    assert "<li>Beta Yard: 0</li>" in content
    assert "You asked for 1 hot desk, but none are free now." in content
