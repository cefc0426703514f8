"""The funding pages of signed-in people: the opportunities that fit a founder's firm, each with
why it fits; and anyone's funding alerts (saved searches emailed as a digest), with the
unsubscribe page a digest links to, which works without signing in.

These pages are personal and not cached. Every read of an alert goes through
``Alert.objects.visible_to(user)`` and of a firm through ``matching.firm_list(user)``, so another
person's alert or firm is the same 404 as a missing one.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from portal.forms import form_add_service_errors
from portal.views import RuleRequiredMixin

from . import alerts, matching, permissions
from .alert_forms import AlertForm
from .models import CLOSING_SOON_DAYS, MAX_ALERTS_PER_USER, Alert, AlertDigest

MATCHES_PAGE_SIZE = 20


def _page(request, queryset, per_page: int):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


class FirmMatchListView(RuleRequiredMixin, View):
    """Founders: the open opportunities (open or closing soon) that fit their firm's sector,
    borough, stage, age and headcount, soonest deadline first, 20 a page, each with the reason it
    fits under every rule. A founder of several firms picks one (``?firm=<id>``; another firm's id
    is a 404); a founder with no firm is told how to get one linked. A fixed number of queries
    whatever the size of the catalogue."""

    rule = permissions.can_see_funding_matches
    template_name = "funding/match_list.html"

    def get(self, request):
        firms = list(matching.firm_list(user=request.user))
        context = {"firms": firms, "closing_soon_days": CLOSING_SOON_DAYS}
        if not firms:
            return render(request, self.template_name, context)
        firm = firms[0]
        if "firm" in request.GET:
            firm = next((f for f in firms if str(f.pk) == request.GET["firm"]), None)
            if firm is None:
                raise Http404("You are not a member of that firm.")
        profile = matching.firm_profile_get(organisation=firm, today=timezone.localdate())
        page = _page(request, matching.opportunity_matches(profile=profile), MATCHES_PAGE_SIZE)
        alert_query = {"sector": profile.sector} if profile.sector else {}
        catalogue_query = {key: value for key, value in (("sector", profile.sector),) if value}
        if profile.local_authority and profile.local_authority != "outside":
            catalogue_query["borough"] = profile.local_authority
        context |= {
            "firm": firm,
            "profile": profile,
            "page_obj": page,
            "matches": matching.match_list(opportunities=page.object_list, profile=profile),
            "page_url": f"?{urlencode({'firm': firm.pk})}&" if len(firms) > 1 else "?",
            "alert_url": reverse("funding:alert-create") + (f"?{urlencode(alert_query)}" if alert_query else ""),
            "catalogue_url": reverse("funding:opportunity-list")
            + (f"?{urlencode(catalogue_query)}" if catalogue_query else ""),
        }
        return render(request, self.template_name, context)


# Alerts -----------------------------------------------------------------------------------------


class AlertListView(RuleRequiredMixin, View):
    """Anyone signed in: their own alerts, oldest first, each in words with whether it is emailed,
    a link to what matches it now in the catalogue, and links to change or delete it; and when the
    last digest was sent. At most ``MAX_ALERTS_PER_USER`` rows, so one page; three queries
    whatever the number of alerts."""

    rule = permissions.can_save_alerts
    template_name = "funding/alert_list.html"

    def get(self, request):
        rows = list(Alert.objects.visible_to(request.user))
        last_sent = (
            AlertDigest.objects.filter(user=request.user, status=AlertDigest.Status.SENT)
            .order_by("-sent_at")
            .values_list("sent_at", flat=True)
            .first()
        )
        context = {
            "alerts": [(alert, _catalogue_url(alert)) for alert in rows],
            "any_active": any(alert.is_active for alert in rows),
            "last_sent": last_sent,
            "max_alerts": MAX_ALERTS_PER_USER,
            "can_add": len(rows) < MAX_ALERTS_PER_USER,
        }
        return render(request, self.template_name, context)


def _catalogue_url(alert: Alert) -> str:
    query = alert.catalogue_query
    return reverse("funding:opportunity-list") + (f"?{urlencode(query, doseq=True)}" if query else "")


class AlertFormMixin(RuleRequiredMixin):
    """The shared body of the add and change pages; ``alert`` is None when adding one. Every error
    at once with a 400; saved: back to the list (post/redirect/get)."""

    rule = permissions.can_save_alerts
    template_name = "funding/alert_form.html"
    alert: Alert | None = None

    def load(self, **kwargs) -> Alert | None:
        return None

    def initial(self) -> dict:
        return AlertForm.initial_of(self.alert) if self.alert else AlertForm.initial_from_query(self.request.GET)

    def get(self, request, **kwargs):
        self.alert = self.load(**kwargs)
        return self._render(AlertForm(user=request.user, alert=self.alert, initial=self.initial()))

    def post(self, request, **kwargs):
        self.alert = self.load(**kwargs)
        form = AlertForm(request.POST, user=request.user, alert=self.alert)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            if self.alert is None:
                alert = alerts.alert_create(user=request.user, data=form.service_data())
            else:
                alert = alerts.alert_update(alert=self.alert, user=request.user, data=form.service_data())
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        verb = "Saved your alert" if self.alert is None else "Saved the changes to your alert"
        emailed = "" if alert.is_active else " It is not emailed: tick the box to get the digest."
        messages.success(request, f"{verb}: {alert.summary}.{emailed}")
        return HttpResponseRedirect(reverse("funding:alert-list"), status=303)

    def _render(self, form: AlertForm, status: int = 200):
        context = {"form": form, "alert": self.alert, "closing_soon_days": CLOSING_SOON_DAYS}
        return render(self.request, self.template_name, context, status=status)


def _own_alert(request, pk: int) -> Alert:
    """The signed-in person's alert ``pk``; anyone else's is a 404, as a missing one is."""
    return get_object_or_404(Alert.objects.visible_to(request.user), pk=pk)


class AlertCreateView(AlertFormMixin, View):
    """Anyone signed in: save an alert. The catalogue's filters in the address (``kind``,
    ``sector``, ``q``) fill the form in, so a search becomes an alert in one step."""


class AlertUpdateView(AlertFormMixin, View):
    """Anyone signed in: change one of their own alerts, or stop or resume its emails."""

    def load(self, *, pk: int) -> Alert:
        return _own_alert(self.request, pk)


class AlertDeleteView(RuleRequiredMixin, View):
    """Anyone signed in: confirm deleting one of their own alerts (GET), then delete it (POST) and
    go back to the list."""

    rule = permissions.can_save_alerts
    template_name = "funding/alert_delete.html"

    def get(self, request, pk: int):
        return render(request, self.template_name, {"alert": _own_alert(request, pk)})

    def post(self, request, pk: int):
        alert = _own_alert(request, pk)
        alerts.alert_delete(alert=alert, user=request.user)
        messages.success(request, f"Deleted your alert: {alert.summary}.")
        return HttpResponseRedirect(reverse("funding:alert-list"), status=303)


# Unsubscribing from the digest, without signing in -------------------------------------------------


@method_decorator(csrf_exempt, name="dispatch")
class AlertUnsubscribeView(View):
    """Anyone holding a digest's unsubscribe link: GET shows a button that asks to confirm (so a
    mail scanner that follows links unsubscribes nobody); POST turns every alert of the person the
    link names off. A link altered in any way is refused (400) with a page that says what to do.

    The signed token is the credential, so there is no CSRF token to check: mail providers send the
    one-click POST of RFC 8058 (body ``List-Unsubscribe=One-Click``) with no cookies; it is
    answered 200 with a short page, and a POST from the confirm button is redirected to the page
    that says it is done (post/redirect/get)."""

    template_name = "funding/alert_unsubscribe.html"
    invalid_template_name = "funding/alert_unsubscribe_invalid.html"

    def get(self, request, token: str):
        user = alerts.alert_unsubscribe_user(token=token)
        if user is None:
            return render(request, self.invalid_template_name, status=400)
        return render(request, self.template_name, {"token": token})

    def post(self, request, token: str):
        user = alerts.alert_unsubscribe_user(token=token)
        if user is None:
            return render(request, self.invalid_template_name, status=400)
        alerts.alerts_unsubscribe(user=user)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return render(request, "funding/alert_unsubscribed.html", {"one_click": True})
        return HttpResponseRedirect(reverse("funding:alert-unsubscribed"), status=303)


class AlertUnsubscribedView(TemplateView):
    """Anyone: the page after unsubscribing, which says how to turn the alerts back on."""

    template_name = "funding/alert_unsubscribed.html"
