"""A person's own account pages beside allauth's: their signed-in sessions, the download of their
data, and the deletion of their account. Every page is the signed-in person's own; nobody reads
or changes another person's."""

import json

from allauth.usersessions.views import ListUserSessionsView
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from . import selectors, services
from .account_forms import AccountDeleteForm
from .exceptions import LastStaffMemberError
from .personal_data import account_delete, can_delete_account, personal_data_export, personal_data_sections


class UserSessionListView(ListUserSessionsView):
    """Signed-in people: where they are signed in (allauth's sessions page, read in one query by
    ``selectors.user_session_list``), each other session with a button that signs it out, and
    allauth's own form that signs out every other session at once."""

    def get_context_data(self, **kwargs):
        # allauth's own list checks each session with two more queries; the selector reads them in one.
        context = super(ListUserSessionsView, self).get_context_data(**kwargs)
        sessions = selectors.user_session_list(self.request.user)
        current = self.request.session.session_key
        context.update(
            sessions=sessions,
            session_count=len(sessions),
            other_count=sum(1 for session in sessions if session.session_key != current),
            current_session_key=current,
            show_last_seen_at=True,
        )
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        response.status_code = 303
        return response


class UserSessionEndView(LoginRequiredMixin, View):
    """Sign out one of your other sessions (POST), then back to the sessions page. Another
    person's session, or one already ended, is a 404; this session is signed out on the sign-out
    page, as any other sign-out."""

    def post(self, request, pk: int):
        from allauth.usersessions.models import UserSession

        session = get_object_or_404(UserSession.objects.filter(user=request.user), pk=pk)
        if session.session_key == request.session.session_key:
            return HttpResponseRedirect(reverse("account_logout"), status=303)
        services.user_session_end(session=session)
        messages.success(request, "That session is signed out. Its browser must sign in again to use your account.")
        return HttpResponseRedirect(reverse("usersessions_list"), status=303)


class AccountDataView(LoginRequiredMixin, TemplateView):
    """Signed-in people: what the portal holds about them, section by section, and the button to
    download all of it as one JSON file."""

    template_name = "portal/account_data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sections=personal_data_sections(), **kwargs)


class AccountDataDownloadView(LoginRequiredMixin, View):
    """Signed-in people: everything the portal holds about them (``personal_data_export``) as a
    JSON file to save; never cached."""

    def get(self, request):
        data = personal_data_export(user=request.user)
        body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"tech-commissioner-portal-your-data-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class AccountDeleteView(LoginRequiredMixin, FormView):
    """Signed-in people: what deleting the account does, and the form that does it once they
    confirm with their password. Deleting signs them out everywhere and leads to the "deleted"
    page (post/redirect/get). A wrong password, or the last active member of staff, is a 400 that
    says why and changes nothing."""

    template_name = "portal/account_delete.html"
    form_class = AccountDeleteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_delete=can_delete_account(self.request.user), **kwargs)

    def form_valid(self, form):
        try:
            account_delete(user=self.request.user)
        except LastStaffMemberError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        logout(self.request)
        return HttpResponseRedirect(reverse("portal:account-deleted"), status=303)

    def form_invalid(self, form):
        return render(self.request, self.template_name, self.get_context_data(form=form), status=400)


class AccountDeletedView(TemplateView):
    """Anyone: the page a deleted account's owner lands on, signed out."""

    template_name = "portal/account_deleted.html"
