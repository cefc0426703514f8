from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from oauth2_provider import views as oauth2_views

from missions import views as missions_views

from . import account_views, views
from .api import router
from .rest.docs import ApiDocsView, ApiSchemaView
from .rest.errors import ApiNotFoundView

# The admin signs in through allauth, so it gets the same rate limits and MFA as the portal.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Tech Commissioner Portal administration"
handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"


portal_patterns = [
    path("", views.HomeView.as_view(), name="home"),
    # The staff dashboard is the missions' KPI dashboard; the core only names its address.
    path("dashboard/", missions_views.StaffDashboardView.as_view(), name="dashboard"),
    path("dashboard/partners/", views.PartnerListView.as_view(), name="partner-list"),
    path("dashboard/partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner-detail"),
    path("dashboard/api-credentials/", views.CredentialListView.as_view(), name="credential-list"),
    path(
        "dashboard/api-credentials/suggest/organisations/",
        views.CredentialOrganisationSuggestionsView.as_view(),
        name="credential-suggest-organisations",
    ),
    path("dashboard/api-credentials/<int:pk>/", views.CredentialDetailView.as_view(), name="credential-detail"),
    path("dashboard/api-credentials/<int:pk>/rotate/", views.CredentialRotateView.as_view(), name="credential-rotate"),
    path("dashboard/api-credentials/<int:pk>/revoke/", views.CredentialRevokeView.as_view(), name="credential-revoke"),
    path(
        "dashboard/api-credentials/<int:pk>/deliveries/<int:delivery_pk>/resend/",
        views.WebhookDeliveryResendView.as_view(),
        name="webhook-delivery-resend",
    ),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("partners/getting-started/", views.PartnerGuideView.as_view(), name="partner-guide"),
    path("feedback/", views.FeedbackView.as_view(), name="feedback"),
    path("feedback/thank-you/", views.FeedbackThanksView.as_view(), name="feedback-thanks"),
    # A person's own data and sessions (portal/account_views.py); allauth's pages are under accounts/.
    path("account/data/", account_views.AccountDataView.as_view(), name="account-data"),
    path("account/data/download/", account_views.AccountDataDownloadView.as_view(), name="account-data-download"),
    path("account/delete/", account_views.AccountDeleteView.as_view(), name="account-delete"),
    path("account/deleted/", account_views.AccountDeletedView.as_view(), name="account-deleted"),
    path("account/sessions/<int:pk>/sign-out/", account_views.UserSessionEndView.as_view(), name="session-end"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("", include("missions.urls", namespace="missions")),
    path("", include("workspaces.urls", namespace="workspaces")),
    path("", include("ambassadors.urls", namespace="ambassadors")),
    path("", include("funding.urls", namespace="funding")),
    path("healthz", views.healthz, name="healthz"),
    # allauth's sessions page, listed in one query; its address and name are allauth's own.
    path("accounts/sessions/", account_views.UserSessionListView.as_view(), name="usersessions_list"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Partners use the client-credentials grant only: no authorisation or app-management pages.
    path("o/token/", oauth2_views.TokenView.as_view(), name="oauth2-token"),
    path("o/revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="oauth2-revoke-token"),
    path("api/v1/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/v1/docs/", ApiDocsView.as_view(), name="api-docs"),
    path("api/v1/", include(router.urls)),
    # Last: every other address under /api/ is the API's JSON 404, never a page or a redirect.
    re_path(r"^api(?:/|$)", ApiNotFoundView.as_view()),
]
