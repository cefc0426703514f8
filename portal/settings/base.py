"""Settings shared by every deployment; environment-specific modules import from here.

Only values that differ between deployments are read from the environment, through the one
``env`` object below.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="local-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# The absolute address in emails' links. Unset in development: the address of the request that
# sent the email, or http://127.0.0.1:8000 for scheduled jobs (portal/site_url.py).
SITE_URL = env("SITE_URL", default="")
# seed_demo makes accounts with published passwords: never allowed in production.
DEMO_DATA_ALLOWED = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # PostgreSQL's index operator classes (portal.models.PrefixIndex); harmless on SQLite
    "django.contrib.postgres",
    # third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "oauth2_provider",
    "django_celery_beat",
    "simple_history",
    "csp",
    "django_countries",
    # the portal
    "portal",
    "ambassadors",
    "workspaces",
    "funding",
    "missions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.rest.limits.ApiBodyLimitMiddleware",
    "portal.site_url.RequestSiteUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.UserSessionsMiddleware",
    "portal.middleware.MfaRequiredMiddleware",
    "portal.middleware.AccountFormErrorStatusMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.BrokerUnavailableMiddleware",
    "portal.rest.write_log.ApiWriteLogMiddleware",
    "portal.rest.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Compiled templates are kept for the life of the process (Django's default when DEBUG
            # is off, written out so that no setting turns it off by accident).
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# Embedded default: SQLite when no DATABASE_URL is given, so `make run` works on a bare machine.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server, worker and beat share one file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Persistent connections: about 4x the throughput of reconnecting per request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL read replica (portal/db_router.py): safe web requests read from it; writes, jobs,
# commands and anyone who wrote in the last DATABASE_REPLICA_STICKY_SECONDS use the primary. A
# throwaway test or benchmark database is made on the primary only, and the replica alias then
# reads it there (a mirror): a replica cannot be written to.
DATABASE_REPLICA_STICKY_SECONDS = env.int("DATABASE_REPLICA_STICKY_SECONDS", default=5)
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["portal.db_router.ReplicaRouter"]
    MIDDLEWARE = ["portal.db_router.PrimaryPinMiddleware", *MIDDLEWARE]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
# Django's and allauth's backends, loading a user's roles and TOTP set-up with the user.
AUTHENTICATION_BACKENDS = [
    "portal.auth_backends.ModelBackend",
    "portal.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

# Accounts (django-allauth): email only, verification by code, TOTP MFA with recovery codes.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tech Commissioner Portal] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupForm"
ACCOUNT_FORMS = {
    "login": "portal.account_forms.LoginForm",
    "signup": "portal.account_forms.SignupForm",
    "add_email": "portal.account_forms.AddEmailForm",
    "change_password": "portal.account_forms.ChangePasswordForm",
    "reset_password": "portal.account_forms.ResetPasswordForm",
    "reset_password_from_key": "portal.account_forms.ResetPasswordKeyForm",
    "reauthenticate": "portal.account_forms.ReauthenticateForm",
    "confirm_email_verification_code": "portal.account_forms.ConfirmEmailVerificationCodeForm",
}
# Failed logins are rate-limited per address and per account; the limit lifts by itself
# after the window (a cool-off), so nobody is locked out permanently.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    # The feedback page (not an allauth action; its views read it through allauth's rate limiter).
    "feedback": "5/10m/ip",
}
# Each person's signed-in sessions (allauth.usersessions): listed on their account pages, where they
# sign any of them out. Activity (last seen, address, browser) is kept current by
# portal.middleware.UserSessionsMiddleware, at most once a minute per session.
USERSESSIONS_TRACK_ACTIVITY = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tech Commissioner Portal"
MFA_REQUIRED_ROLES = ["staff", "reviewer", "ambassador"]
MFA_ADAPTER = "portal.adapters.MfaAdapter"
MFA_FORMS = {
    "authenticate": "portal.account_forms.MfaAuthenticateForm",
    "reauthenticate": "portal.account_forms.MfaReauthenticateForm",
    "activate_totp": "portal.account_forms.ActivateTOTPForm",
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Only the built assets are published; the sources in static/src are not.
STATICFILES_DIRS = [("build", BASE_DIR / "static" / "build")]
# Uploads: the largest file any form accepts (a briefing's, 10 MB; an investment import takes 2 MB);
# past it an upload is counted but not stored, and the form refuses it with a field error
# (portal/uploads.py). Files up to 2.5 MB are held in memory, larger ones in a temporary file. A
# form's other fields may hold 2.5 MB in all, in at most 1,000 fields, and a request at most 5 files
# (no form takes more than one): past those Django answers 400.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "portal.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# Uploaded files (briefings): never served under a public URL; the app's views stream them to those
# allowed to read them.
MEDIA_ROOT = BASE_DIR / "var" / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
PORTAL_CONTACT_EMAIL = env("PORTAL_CONTACT_EMAIL", default="techcommissioner@example.org")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Tech Commissioner Portal <noreply@example.org>")

# Django's database sessions, read with one prepared query (portal/sessions.py).
SESSION_ENGINE = "portal.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form gets the portal's page: Django's own carries an inline style the CSP blocks.
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: same-origin scripts and styles only, with no inline script, style or
# event handler anywhere (so no 'unsafe-inline' and no nonce); tests/test_csp.py holds every page to it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: DRF's form parsers read an empty field as "not given", so "as_of=" would quietly
    # become today's date instead of the 400 a JSON client gets for "as_of": "".
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # JSON only, errors included: a browser asking for HTML gets JSON too (it accepts */*), and the
    # interactive documentation is Swagger UI at /api/v1/docs/, not DRF's browsable pages.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "portal.rest.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "DEFAULT_THROTTLE_CLASSES": ["portal.rest.throttles.ApiRateThrottle"],
}
# API limits (portal/rest/throttles.py, limits.py): requests per partner OAuth client, per signed-in user and per
# anonymous address, counted in Redis across every web process; and the largest body the API reads
# (a bulk write of 1,000 items fits well within it).
API_THROTTLE_RATES = {"client": "1200/min", "user": "600/min", "anon": "120/min"}
API_MAX_BODY_BYTES = 2 * 1024 * 1024
# Safe retries (portal/rest/idempotency.py): how long a stored answer is replayed, and how long a
# retry waits for the first request with its key to finish.
IDEMPOTENCY_KEY_HOURS = 24
IDEMPOTENCY_WAIT_SECONDS = 10
# Webhooks (portal/webhooks.py): tries per delivery, the first retry's wait (doubling, at most an
# hour), the receiver's time to answer, and failed deliveries in a row that pause a subscription.
# Partners' addresses must be https and public; development and tests relax both.
WEBHOOK_MAX_ATTEMPTS = 6
WEBHOOK_RETRY_SECONDS = 30
WEBHOOK_TIMEOUT_SECONDS = 5
WEBHOOK_PAUSE_AFTER_FAILURES = 5
WEBHOOK_ALLOW_HTTP = False
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
# Every error the API can answer is declared on every operation it applies to; 500 on all of them.
DRF_STANDARDIZED_ERRORS = {
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "415", "429", "500"],
    "EXCEPTION_HANDLER_CLASS": "portal.rest.errors.ExceptionHandler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tech Commissioner Portal API",
    "DESCRIPTION": (
        "Partner API of the Tech Commissioner Portal. Partners authenticate with OAuth2 client "
        "credentials (POST /o/token/); logged-in users may use their session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Each enum's values and names are listed once, in its component; repeating every name in every
    # field's description (250 countries in each country field) made the schema and its docs page
    # several times larger.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        "ErrorCode503Enum": "portal.rest.errors.ErrorCode503Enum.choices",
        "ApplicationStatusEnum": "workspaces.models.Application.Status",
        "LocalAuthorityEnum": "portal.models.LocalAuthority",
        "ActivityKindEnum": "ambassadors.models.Activity.Kind",
        "OrganisationKindEnum": "portal.models.Organisation.Kind",
        "CountryEnum": "django_countries.countries",
        "LeadStageEnum": "ambassadors.models.Lead.Stage",
        "LeadKindEnum": "ambassadors.models.Lead.Kind",
        "SectorEnum": "portal.models.Sector",
        "OpportunityKindEnum": "funding.models.Opportunity.Kind",
        "InvestmentKindEnum": "funding.models.Investment.Kind",
        "InvestmentStageEnum": "funding.models.Investment.Stage",
        "InvestmentOriginEnum": "funding.models.Investment.Origin",
        # An organisation's origin keeps the name it had before investments had an origin too.
        "OriginEnum": "portal.models.Organisation.Origin",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "portal.rest.schema.allow_empty_query_values",
        "portal.rest.schema.declare_safe_retries_and_limits",
        "portal.rest.schema.declare_indexed_validation_errors",
        "portal.rest.examples.declare_request_examples",
    ],
}

# Partner credentials: OAuth2 client credentials only; tokens expire after an hour.
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read public and partner data",
        "observations:write": "Submit indicator observations",
        "companies:write": "Submit organisations and yearly company facts",
        "investments:write": "Submit investment deals",
        "webhooks": "Subscribe to event notifications (webhooks)",
        "opportunities:write": "Publish their own organisation's funding opportunities",
    },
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "OAUTH2_VALIDATOR_CLASS": "portal.oauth.PartnerOAuth2Validator",
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # RFC 9700: partners use client credentials only, so every legacy behaviour is switched off
    # and tokens are kept only as checksums.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
}

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"

# Celery: Redis when REDIS_URL is set; otherwise a filesystem broker that needs no server.
REDIS_URL = env("REDIS_URL", default="")
# The longest any task may run: the worker stops it after the soft limit and kills it at the hard one.
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# Redis hands a message that was taken but not acknowledged to another worker after
# `visibility_timeout`. Tasks are acknowledged when they end (late acks), so it must outlast the
# longest task, the hard time limit (plus a minute's slack), or a task still running would be
# delivered twice; any longer only delays the redelivery of a task whose worker died. A dead broker
# refuses a connection at once, and one that does not answer at all is given up on after
# `socket_connect_timeout`, so enqueuing a job fails within a second instead of hanging a request.
# Test and production settings use this same dictionary.
REDIS_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 60, "socket_connect_timeout": 0.4}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
else:
    _broker_dir = BASE_DIR / "var" / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
    }
    CELERY_RESULT_BACKEND = f"file://{_broker_dir / 'results'}"
# Caches. "default" (login rate limits): Redis when REDIS_URL is set, so every web process shares
# it; otherwise this process's memory. "template_fragments" (cached page fragments and API lists,
# portal/page_cache.py): this process's memory in front of Redis. Its keys carry the data versions
# read from the database, so an entry never changes once written: a hit in memory is safe and costs
# no network round trip (a Redis GET per page cost as much as the rest of a cached page here), and
# Redis shares each fragment with the other processes. Without REDIS_URL: memory alone.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}
    ),
    "template_fragments": {
        "BACKEND": "portal.cache_backends.LayeredCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One immediate retry covers a pooled connection the broker dropped; more would only make a
# request wait for a broker that is down (kombu's default waits about 0.7 s before giving up).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The schedule lives in the database (django-celery-beat); a beat sends only while it holds a lease
# in Redis, so a second beat sends nothing until the first stops (portal/beat.py).
CELERY_BEAT_SCHEDULER = "portal.beat:LeasedScheduler"
BEAT_LEASE_SECONDS = 30
# Three queues, each with a worker of its own in the Procfile, so a long KPI refresh never holds up
# an email and an email never waits behind the other jobs. Every task is named here: a new task
# without a queue fails tests/test_celery_queues.py.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_QUEUE_OF_TASKS = {
    "refresh": ["missions.refresh_kpis"],
    "email": [
        "ambassadors.activity_reminders_send",
        "ambassadors.invitation_send",
        "ambassadors.lead_notifications_send_owed",
        "ambassadors.lead_notify",
        "funding.alert_digest_send",
        "funding.alert_digests_send",
        "funding.alert_digests_send_owed",
        "portal.feedback_send",
        "portal.feedback_send_owed",
        "portal.yearly_facts_request_send",
        "portal.yearly_facts_requests_send_due",
        "workspaces.application_notifications_send_owed",
        "workspaces.application_notify",
    ],
    "default": [
        "ambassadors.invitations_expire",
        "missions.refresh_runs_reap",
        "portal.idempotency_keys_expire",
        "portal.webhook_deliver",
        "portal.webhook_deliveries_send_due",
        "workspaces.applications_retention_anonymise",
        "workspaces.offers_expire",
        "workspaces.tenancies_end_due",
    ],
}
CELERY_TASK_ROUTES = {task: {"queue": queue} for queue, tasks in CELERY_QUEUE_OF_TASKS.items() for task in tasks}

# KPI refresh: the worker stamps a running run's heartbeat every tenth of KPI_REFRESH_STALE_AFTER,
# even inside one long indicator. A running run with no heartbeat for that long has lost its
# worker; a queued run no worker claimed within KPI_REFRESH_QUEUED_TIMEOUT has lost its message
# (a broker restarted empty) or has no worker. Either is marked failed by the next request, page
# or API read that sees it, or by the reap job every minute, so the next refresh can start.
KPI_REFRESH_STALE_AFTER = datetime.timedelta(seconds=env.int("KPI_REFRESH_STALE_SECONDS", default=60))
KPI_REFRESH_QUEUED_TIMEOUT = datetime.timedelta(seconds=env.int("KPI_REFRESH_QUEUED_SECONDS", default=60))

# Everything is written once, by the root logger's handler: Django's own "django" handler (on when
# DEBUG) is removed, or each 4xx warning would be written twice. A 4xx is one warning line with no
# traceback (a 403 carries its exception); a 5xx keeps its traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors": {"()": "portal.request_logging.ClientErrorFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": [], "filters": ["client_errors"], "propagate": True},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Workspaces: how long an offer holds its desks, how long a tenancy runs, and the service level
# (working days from submission to decision) the applications indicator measures against.
WORKSPACES_OFFER_DAYS = 14
WORKSPACES_TENANCY_MONTHS = 12
WORKSPACES_SERVICE_LEVEL_DAYS = 20

# Funding: the partnership programme's budget runs for two years, eight calendar quarters from this
# day (the first day of a quarter). Its plan lines are those quarters, and spend is dated within them.
FUNDING_BUDGET_STARTS_ON = datetime.date(2025, 1, 1)

# Data protection: rejected and withdrawn applications are anonymised this many months after the
# decision (workspaces.applications_retention_anonymise, daily).
WORKSPACES_RETENTION_MONTHS = 24
