"""The authorisation matrix: every page of the portal, for every role.

``ACCESS`` names who may use each URL pattern; the test enumerates the URL configuration, so a new
page without a line here fails the suite until someone decides who may use it. Each page is then
requested by a visitor who is signed out and by a founder, an ambassador, a reviewer and a member
of staff: whoever the rule allows is not refused (the page answers, or is a 404 for an object that
does not exist; a page that only takes a form's POST is asked with an empty POST), whoever it refuses is sent to sign in
(signed out) or gets 403. The API is covered per operation and per scope by
``tests/api/test_scopes.py``, per operation and per role by ``tests/api/test_role_matrix.py``
(with another person's rows, a 404), and the object-level checks (another user's object is a 404) by each
app's tests.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from portal.roles import Role

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.FOUNDER, Role.AMBASSADOR, Role.REVIEWER, Role.STAFF]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
STAFF = {Role.STAFF}
REVIEWERS = {Role.STAFF, Role.REVIEWER}
FOUNDERS = {Role.FOUNDER}  # applications are the founder's own; staff and reviewers use the queue
AMBASSADORS = {Role.AMBASSADOR}  # the ambassador portal; staff run the network from the dashboard
BRIEFED = {Role.AMBASSADOR, Role.STAFF}

# Who may use each named URL pattern. Public pages include what signed-out visitors read.
ACCESS: dict[str, set[str]] = {
    "portal:home": EVERYONE,
    "portal:dashboard": STAFF,
    "portal:partner-list": STAFF,
    "portal:partner-detail": STAFF,
    "portal:credential-list": STAFF,
    "portal:credential-suggest-organisations": STAFF,
    "portal:credential-detail": STAFF,
    "portal:credential-rotate": STAFF,
    "portal:credential-revoke": STAFF,
    "portal:webhook-delivery-resend": STAFF,
    "portal:accessibility": EVERYONE,
    "portal:privacy": EVERYONE,
    "portal:partner-guide": EVERYONE,
    "portal:feedback": EVERYONE,
    "portal:feedback-thanks": EVERYONE,
    "portal:account-data": SIGNED_IN,  # each person's own data and account
    "portal:account-data-download": SIGNED_IN,
    "portal:account-delete": SIGNED_IN,
    "portal:account-deleted": EVERYONE,
    "portal:session-end": SIGNED_IN,  # scoped: anyone else's session is a 404
    "missions:mission-list": EVERYONE,
    "missions:mission-detail": EVERYONE,
    "missions:indicator-detail": EVERYONE,
    "missions:indicator-observations-csv": EVERYONE,
    "missions:indicator-observations-json": EVERYONE,
    "missions:open-data": EVERYONE,
    "missions:dcat-catalogue": EVERYONE,
    "missions:grants-360giving-csv": EVERYONE,
    "missions:grants-360giving-json": EVERYONE,
    "missions:observation-create": STAFF,
    "missions:refresh-run-create": STAFF,
    "missions:refresh-run-detail": STAFF,
    "missions:refresh-run-progress": STAFF,
    "workspaces:workspace-list": EVERYONE,
    "workspaces:criterion-list": EVERYONE,
    "workspaces:workspace-export-csv": EVERYONE,
    "workspaces:workspace-export-json": EVERYONE,
    "workspaces:workspace-detail": EVERYONE,
    "workspaces:application-list": FOUNDERS,
    "workspaces:application-create": FOUNDERS,
    "workspaces:application-detail": SIGNED_IN,  # scoped: anyone else's is a 404
    "workspaces:application-step": FOUNDERS,
    "workspaces:application-check": FOUNDERS,
    "workspaces:application-withdraw": FOUNDERS,
    "workspaces:application-respond": FOUNDERS,
    "workspaces:review-queue": REVIEWERS,
    "workspaces:application-bulk": STAFF,
    "workspaces:application-review": REVIEWERS,
    "workspaces:review-create": REVIEWERS,
    "workspaces:application-decide": REVIEWERS,  # the reviewer may read it; deciding is staff's (object rule)
    "workspaces:workspace-manage": STAFF,
    "workspaces:workspace-create": STAFF,
    "workspaces:workspace-update": STAFF,
    "workspaces:tenancy-list": STAFF,
    "workspaces:tenancy-end": STAFF,
    "ambassadors:home": AMBASSADORS,
    "ambassadors:profile-edit": AMBASSADORS,
    "ambassadors:activity-list": AMBASSADORS,
    "ambassadors:activity-create": AMBASSADORS,
    "ambassadors:activity-update": AMBASSADORS,
    "ambassadors:briefing-list": BRIEFED,
    "ambassadors:briefing-detail": BRIEFED,
    "ambassadors:briefing-file": BRIEFED,
    "ambassadors:directory": EVERYONE,
    "ambassadors:directory-profile": EVERYONE,
    "ambassadors:directory-export-csv": EVERYONE,
    "ambassadors:directory-export-json": EVERYONE,
    "ambassadors:invitation-accept": EVERYONE,
    "ambassadors:network-list": STAFF,
    "ambassadors:ambassador-detail": STAFF,
    "ambassadors:ambassador-update": STAFF,
    "ambassadors:ambassador-status": STAFF,
    "ambassadors:invitation-list": STAFF,
    "ambassadors:invitation-create": STAFF,
    "ambassadors:invitation-resend": STAFF,
    "ambassadors:invitation-revoke": STAFF,
    "ambassadors:briefing-manage": STAFF,
    "ambassadors:briefing-delete": STAFF,
    "ambassadors:lead-list": AMBASSADORS,
    "ambassadors:lead-refer": AMBASSADORS,
    "ambassadors:lead-detail": AMBASSADORS,
    "ambassadors:impact": AMBASSADORS,
    "ambassadors:lead-pipeline": STAFF,
    "ambassadors:lead-create": STAFF,
    "ambassadors:lead-suggest-ambassadors": STAFF,
    "ambassadors:lead-manage": STAFF,
    "ambassadors:lead-move": STAFF,
    "ambassadors:coverage": STAFF,
    "ambassadors:target-market-list": STAFF,
    "ambassadors:target-market-remove": STAFF,
    "ambassadors:map": STAFF,
    "funding:opportunity-list": EVERYONE,
    "funding:opportunity-calendar": EVERYONE,
    "funding:opportunity-detail": EVERYONE,
    "funding:opportunity-export-csv": EVERYONE,
    "funding:opportunity-export-json": EVERYONE,
    "funding:match-list": FOUNDERS,
    "funding:alert-list": SIGNED_IN,
    "funding:alert-create": SIGNED_IN,
    "funding:alert-update": SIGNED_IN,
    "funding:alert-delete": SIGNED_IN,
    "funding:alert-unsubscribe": EVERYONE,  # a signed link from the email, no sign-in
    "funding:alert-unsubscribed": EVERYONE,
    "funding:budget-summary": EVERYONE,
    "funding:budget-overview": STAFF,
    "funding:budget-plan": STAFF,
    "funding:spend-list": STAFF,
    "funding:spend-create": STAFF,
    "funding:spend-detail": STAFF,
    "funding:spend-update": STAFF,
    "funding:spend-remove": STAFF,
    "funding:investment-list": STAFF,
    "funding:investment-export": STAFF,
    "funding:investment-create": STAFF,
    "funding:investment-suggest-firms": STAFF,
    "funding:investment-suggest-investors": STAFF,
    "funding:investment-duplicates": STAFF,
    "funding:investment-import": STAFF,
    "funding:investment-import-template": STAFF,
    "funding:investment-import-preview": STAFF,
    "funding:investment-detail": STAFF,
    "funding:investment-update": STAFF,
    "funding:investment-verify": STAFF,
    "funding:investment-not-duplicate": STAFF,
    "funding:investment-delete": STAFF,
    "funding:opportunity-manage": STAFF,
    "funding:opportunity-create": STAFF,
    "funding:opportunity-suggest-funders": STAFF,
    "funding:opportunity-update": STAFF,
    "funding:opportunity-withdraw": STAFF,
    "healthz": EVERYONE,
    "oauth2-token": EVERYONE,
    "oauth2-revoke-token": EVERYONE,
}
# Mounted applications with rules of their own: allauth's account pages, the admin (staff and
# operators, through the portal's sign-in), the API (tests/api) and the static files.
OWN_RULES = ("accounts/", "admin/", "api/", "^api", "static/", "^static/")
# Values for path parameters: objects that do not exist, so an allowed visitor gets a 404 (or the
# page), never data, and a refused one is refused before anything is looked up.
PARAMETERS = {"pk": "999999", "delivery_pk": "999999", "slug": "no-such-thing", "code": "M9-99", "step": "about"}
PARAMETERS |= {"token": "no-such-invitation", "extension": "jsonld"}


def _patterns(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), (namespace + pattern.name) if pattern.name else None


PAGES = [(route, name) for route, name in _patterns(get_resolver().url_patterns) if not route.startswith(OWN_RULES)]


def _path(route: str) -> str:
    """A request path for a route, with ``PARAMETERS`` for its parameters (path converters or regex
    groups)."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: PARAMETERS[match.group(1)], route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: PARAMETERS[match.group(1)], path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\.", ".")


def test_every_page_has_a_rule():
    named = {name for _, name in PAGES}
    assert None not in named, [route for route, name in PAGES if name is None]
    assert named - set(ACCESS) == set(), "pages with no line in ACCESS: decide who may use them"
    assert set(ACCESS) - named == set(), "lines in ACCESS for pages that no longer exist"


def signed_in(client, role: str, make_user):
    """``client`` signed in as a new person holding ``role`` (left signed out for ``ANONYMOUS``)."""
    if role == Role.AMBASSADOR:  # an ambassador is a person with a profile in the network
        from tests.ambassadors.factories import AmbassadorFactory

        client.force_login(AmbassadorFactory().user)
    elif role != ANONYMOUS:
        client.force_login(make_user(role))
    return client


@pytest.fixture
def visitor(client, make_user):
    return lambda role: signed_in(client, role, make_user)


@pytest.mark.parametrize("role", ROLES)
def test_each_page_allows_exactly_its_roles(role, visitor):
    client = visitor(role)
    wrong = []
    for route, name in PAGES:
        path = _path(route)
        response = client.get(path)
        if response.status_code == 405:  # a form's action: ask the way the form does
            response = client.post(path)
        refused = response.status_code == 403 or (
            response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        )
        if refused == (role in ACCESS[name]):
            wrong.append((path, name, response.status_code))
        if role == ANONYMOUS and refused:
            assert response.status_code == 302, f"{path}: a signed-out visitor is sent to sign in, not refused"
    assert not wrong, f"{role}, allowed but refused or refused but allowed:\n" + "\n".join(
        f"  {name} {path} answered {status}" for path, name, status in wrong
    )
