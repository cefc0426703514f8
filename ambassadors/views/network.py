"""Staff pages of the network: the coverage matrix, the target markets and the world map."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.views import View

from portal import page_cache
from portal.forms import form_add_service_errors
from portal.views import RuleRequiredMixin

from .. import permissions, selectors
from ..forms.network import TargetMarketForm
from ..services import network as services


def _fragment(request, name: str) -> dict:
    """A cached fragment of a network page: staff only, shows the ambassadors data key's rows."""
    return page_cache.fragment_context(request, name, data=["ambassadors"], audience=page_cache.audience(request.user))


class CoverageView(RuleRequiredMixin, View):
    """Staff: active ambassadors by country and sector, with every target market that has none
    named as a gap. Cached until the network changes."""

    rule = permissions.can_manage_ambassadors
    template_name = "ambassadors/coverage.html"

    def get(self, request):
        context = {**_fragment(request, "network-coverage"), "coverage": SimpleLazyObject(selectors.network_coverage)}
        return render(request, self.template_name, context)


class TargetMarketListView(RuleRequiredMixin, View):
    """Staff: the target markets with how many active ambassadors cover each; add one (a field
    error and 400 when the pair is not on the lists or already there) or remove one. The list is
    cached until the network changes."""

    rule = permissions.can_manage_ambassadors
    template_name = "ambassadors/target_market_list.html"

    def get(self, request):
        return self._render(TargetMarketForm())

    def post(self, request):
        form = TargetMarketForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            market = services.target_market_add(**form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        messages.success(request, f"Added {market.country.name}: {market.get_sector_display()} to the target markets.")
        return HttpResponseRedirect(reverse("ambassadors:target-market-list"), status=303)

    def _render(self, form, status: int = 200):
        # The list is cached until the network changes; the form's lists of countries and sectors
        # (as long as nothing was posted) until a release or another language: the country names
        # follow it. The forms' CSRF tokens stay outside both.
        fields_key = page_cache.cache_key(
            "target-market-fields", request=self.request, data=[], audience="staff", vary=[translation.get_language()]
        )
        context = {
            **_fragment(self.request, "target-markets"),
            "fields_cache_key": fields_key,
            "form": form,
            "markets": SimpleLazyObject(selectors.target_market_list),
        }
        return render(self.request, self.template_name, context, status=status)


class TargetMarketRemoveView(RuleRequiredMixin, View):
    """Staff: remove a target market (POST from its row). Removing one already removed says so."""

    rule = permissions.can_manage_ambassadors
    http_method_names = ["post"]

    def post(self, request, pk: int):
        market = services.target_market_remove(target_market_id=pk)
        if market is None:
            messages.info(request, "That target market had already been removed.")
        else:
            messages.success(
                request, f"Removed {market.country.name}: {market.get_sector_display()} from the target markets."
            )
        return HttpResponseRedirect(reverse("ambassadors:target-market-list"), status=303)


class NetworkMapView(RuleRequiredMixin, View):
    """Staff: active ambassadors and landed projects by country, as a world map drawn in the
    browser from the portal's own files, and always as a table of the same numbers. Cached until
    the network changes."""

    rule = permissions.can_manage_ambassadors
    template_name = "ambassadors/map.html"

    def get(self, request):
        context = {**_fragment(request, "network-map"), "map": SimpleLazyObject(selectors.network_map)}
        return render(request, self.template_name, context)
