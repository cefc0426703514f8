"""HTML views of the portal core: public pages, the staff dashboard, partner credentials, health."""

import datetime

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views import View, defaults
from django.views.generic import TemplateView
from rest_framework.exceptions import APIException, NotFound, ParseError, PermissionDenied

from . import health, page_cache, selectors, services, webhooks
from .access import RuleRequiredMixin as RuleRequiredMixin  # the apps' views import it from here
from .access import StaffRequiredMixin
from .content import MISSIONS
from .exceptions import CredentialAlreadyRevokedError
from .forms import CREDENTIAL_KINDS, FeedbackForm, PartnerCredentialCreateForm, PartnerCredentialRotateForm
from .rest.errors import api_error_response, is_api_request
from .selectors import organisation_suggestions
from .site_url import site_url
from .suggestions import SuggestionsView


class HomeView(TemplateView):
    """The public home page: the same for every reader, so one cached fragment serves all."""

    template_name = "portal/home.html"
    extra_context = {"missions": MISSIONS}

    def get_context_data(self, **kwargs):
        fragment = page_cache.fragment_context(self.request, "home", data=[], audience="public")
        return super().get_context_data(**fragment, **kwargs)


class AccessibilityView(TemplateView):
    template_name = "portal/accessibility.html"


class PrivacyView(TemplateView):
    template_name = "portal/privacy.html"


class PartnerGuideView(TemplateView):
    """Anyone: getting started with the partner API, with a first token request and call in curl
    and in Python, addressed to this portal, and every scope."""

    template_name = "portal/partner_guide.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            base_url=site_url(), scopes=settings.OAUTH2_PROVIDER["SCOPES"].items(), **kwargs
        )


class FeedbackView(View):
    """Anyone: report a problem. The report is stored and emailed to staff; then the thank-you
    page (post/redirect/get). Errors are a 400 listing every field; more than the
    ``ACCOUNT_RATE_LIMITS["feedback"]`` reports from one address is a 429 that stores nothing."""

    template_name = "portal/feedback.html"

    def get(self, request):
        form = FeedbackForm(initial={"page": request.GET.get("from", "")})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = FeedbackForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        if not ratelimit.consume(request, action="feedback"):
            form.add_error(
                None, "You have sent several reports in the last few minutes. Wait 10 minutes, then try again."
            )
            return render(request, self.template_name, {"form": form}, status=429)
        services.feedback_create(**form.cleaned_data)
        return HttpResponseRedirect(reverse("portal:feedback-thanks"))


class FeedbackThanksView(TemplateView):
    template_name = "portal/feedback_thanks.html"


# The new credential's client id and secret, kept in the session between the POST that creates it and
# the one GET that shows it, so reloading the page shows the list rather than issuing another.
NEW_CREDENTIAL_SESSION_KEY = "portal_new_credential"


class CredentialListView(StaffRequiredMixin, View):
    """Staff: the partner credentials and the form to issue one. Creating one redirects to this
    page, which shows the new secret once (then it is gone from the session) and is never cached
    by a browser. The list of credentials is a page-cache fragment under the ``organisations``
    data key (issuing and revoking bump it); the form (its organisation typed, with suggestions
    from ``CredentialOrganisationSuggestionsView``), the secret, the errors and the CSRF token stay
    outside it."""

    template_name = "portal/credential_list.html"

    def get(self, request):
        new = request.session.pop(NEW_CREDENTIAL_SESSION_KEY, None) or {}
        response = self._render(
            PartnerCredentialCreateForm(), new_client_id=new.get("client_id"), new_secret=new.get("secret")
        )
        response["Cache-Control"] = "no-store"  # the secret is shown once and must not be cached
        return response

    def post(self, request):
        form = PartnerCredentialCreateForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        credential, secret = services.partner_credential_create(
            organisation=form.cleaned_data["organisation"],
            scopes=form.cleaned_data["scopes"],
            created_by=request.user,
            is_staff_owned=form.cleaned_data["is_staff_owned"],
        )
        request.session[NEW_CREDENTIAL_SESSION_KEY] = {
            "client_id": credential.application.client_id,
            "secret": secret,
        }
        return HttpResponseRedirect(reverse("portal:credential-list"), status=303)

    def _render(self, form, status=200, **extra):
        context = {
            **page_cache.fragment_context(self.request, "credential-list", data=["organisations"], audience="staff"),
            "form": form,
            "credentials": SimpleLazyObject(lambda: list(selectors.partner_credential_list())),
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)


class CredentialOrganisationSuggestionsView(SuggestionsView):
    """Staff: the organisations (any but a firm) the credential form's organisation field may
    mean, as the person types."""

    def suggest(self, text):
        return organisation_suggestions(text, kinds=CREDENTIAL_KINDS)


class CredentialDetailView(StaffRequiredMixin, View):
    """Staff: one credential, its secret's rotation and the log of its client's writes, newest
    first, 50 a page. After a rotation it shows the new secret once (from the session), uncached."""

    template_name = "portal/credential_detail.html"

    def get(self, request, pk: int):
        credential = get_object_or_404(selectors.partner_credential_list(), pk=pk)
        new_secret = None
        pending = request.session.get(NEW_CREDENTIAL_SESSION_KEY) or {}
        if pending.get("credential") == credential.pk:
            new_secret = request.session.pop(NEW_CREDENTIAL_SESSION_KEY)["secret"]
        writes = Paginator(selectors.api_write_list().filter(credential=credential), 50)
        page = writes.get_page(request.GET.get("page"))
        context = {
            "credential": credential,
            "page": page,
            "new_secret": new_secret,
            "subscriptions": credential.webhooks.all(),
            "deliveries": selectors.webhook_delivery_list(credential=credential)[:20],
        }
        response = render(request, self.template_name, context)
        response["Cache-Control"] = "no-store"
        return response


class PartnerListView(StaffRequiredMixin, View):
    """Staff: the partner organisations, with their API clients and the indicators each owns."""

    def get(self, request):
        partners = selectors.partner_organisation_list()
        return render(request, "portal/partner_list.html", {"partners": partners})


class PartnerDetailView(StaffRequiredMixin, View):
    """Staff: one partner organisation: its clients and scopes, the indicators it owns and the
    latest writes its clients sent (20; each client's page has them all)."""

    def get(self, request, pk: int):
        partner = selectors.partner_organisation_get(pk)
        context = {"partner": partner, "writes": selectors.api_write_list(organisation_id=partner.pk)[:20]}
        return render(request, "portal/partner_detail.html", context)


class CredentialRotateView(StaffRequiredMixin, View):
    """Staff: choose how long the old secret keeps working (GET), then replace it (POST) and show
    the new one once on the credential's page."""

    template_name = "portal/credential_rotate.html"

    def get(self, request, pk: int):
        credential = get_object_or_404(selectors.partner_credential_list().filter(revoked_at__isnull=True), pk=pk)
        return render(request, self.template_name, {"credential": credential, "form": PartnerCredentialRotateForm()})

    def post(self, request, pk: int):
        credential = get_object_or_404(selectors.partner_credential_list().filter(revoked_at__isnull=True), pk=pk)
        form = PartnerCredentialRotateForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"credential": credential, "form": form}, status=400)
        grace = datetime.timedelta(seconds=form.cleaned_data["grace_seconds"])
        try:
            credential, secret = services.partner_credential_rotate(credential=credential, grace=grace)
        except CredentialAlreadyRevokedError:
            messages.info(request, "That credential was revoked meanwhile: its secret was not replaced.")
            return HttpResponseRedirect(reverse("portal:credential-detail", args=[credential.pk]), status=303)
        request.session[NEW_CREDENTIAL_SESSION_KEY] = {"credential": credential.pk, "secret": secret}
        return HttpResponseRedirect(reverse("portal:credential-detail", args=[credential.pk]), status=303)


class WebhookDeliveryResendView(StaffRequiredMixin, View):
    """Staff: send a webhook delivery again (a new delivery of the same event and data), then back
    to the credential's page."""

    def post(self, request, pk: int, delivery_pk: int):
        delivery = get_object_or_404(selectors.webhook_delivery_list(credential_id=pk), pk=delivery_pk)
        copy = webhooks.webhook_delivery_replay(delivery=delivery)
        messages.success(request, f"The {delivery.event} event will be sent again as delivery {copy.delivery_id}.")
        return HttpResponseRedirect(reverse("portal:credential-detail", args=[pk]), status=303)


class CredentialRevokeView(StaffRequiredMixin, View):
    """Staff: confirm revoking a credential (GET), then revoke it and its tokens (POST). Revoking
    a revoked credential changes nothing and says so."""

    template_name = "portal/credential_revoke.html"

    def get(self, request, pk: int):
        credential = get_object_or_404(selectors.partner_credential_list(), pk=pk)
        if not credential.is_active:
            messages.info(request, "That credential was already revoked.")
            return HttpResponseRedirect(reverse("portal:credential-list"))
        return render(request, self.template_name, {"credential": credential})

    def post(self, request, pk: int):
        credential = get_object_or_404(selectors.partner_credential_list(), pk=pk)
        try:
            services.partner_credential_revoke(credential=credential)
            messages.success(request, f"Revoked the credential of {credential.organisation}.")
        except CredentialAlreadyRevokedError:
            messages.info(request, "That credential was already revoked.")
        return HttpResponseRedirect(reverse("portal:credential-list"), status=303)


def healthz(request):
    """200 when the database and the broker both answer, 503 otherwise; says which is down."""
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    ok = all(checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "degraded", **{k: "ok" if v else "down" for k, v in checks.items()}},
        status=200 if ok else 503,
    )


# Django's error handlers (``handler400`` ... in portal/urls.py): the API's JSON error shape under
# /api/, the portal's HTML pages elsewhere. Errors inside DRF views never reach them.


def bad_request(request, exception):
    if is_api_request(request):
        return api_error_response(ParseError())
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_request(request):
        return api_error_response(PermissionDenied())
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api_request(request):
        return api_error_response(NotFound())
    return defaults.page_not_found(request, exception)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (``CSRF_FAILURE_VIEW``): a 403 in the portal's layout,
    as Django's own page carries an inline style that the Content-Security-Policy refuses."""
    if is_api_request(request):
        return api_error_response(PermissionDenied(reason or None))
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    if is_api_request(request):
        return api_error_response(APIException("Server Error (500)"))
    return defaults.server_error(request)
