"""Ramtid's settings: one module, read from the environment (README lists every variable).

Nothing exists only in production: `make run` and `make test` set the same variables that
docker-compose.yml sets, with development values.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pghistory
from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY måste vara satt när DJANGO_DEBUG är av.")
    SECRET_KEY = "django-insecure-only-for-local-development"  # noqa: S105

# `make run` sets it: the demo with its known passwords may be loaded (manage.py load_demo).
RAMTID_DEMO = env.bool("RAMTID_DEMO", default=False)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "axes",
    "ramtid",
    "bestallning",
    "genomforandeplan",
    "uppfoljning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ramtid.middleware.HtmxSignedOutMiddleware",
    "ramtid.audit.AuditContextMiddleware",
    # After the user is known: end an idle or too old session, then mark what a signed-in user
    # sees as not to be stored (ramtid/session_timeout.py, ramtid/middleware.py).
    "ramtid.session_timeout.SessionTimeoutMiddleware",
    "ramtid.middleware.NoStoreMiddleware",
    # Last: turns a sign-in refused by the lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ramtid.urls"
WSGI_APPLICATION = "ramtid.wsgi.application"
ASGI_APPLICATION = "ramtid.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ramtid.context_processors.navigation",
                "ramtid.session_timeout.context_processor",
            ],
        },
    },
]

# Sections the apps add to the client page and the start page, in order (ramtid/panels.py).
RAMTID_CLIENT_PANELS: list[str] = [
    "bestallning.panels.client_panel",
    "genomforandeplan.panels.client_panel",
    "uppfoljning.views.complaints.client_panel",
]
# The client list's status filter: a function (user) -> list[ramtid.selectors.ClientStatus].
RAMTID_CLIENT_STATUS_FILTER = "bestallning.selectors.client_order_statuses"
# The worklists of the start page, in order (ramtid/worklists.py): each app's lists of what is
# due, bounded and counted in SQL, each with a page of its own.
RAMTID_WORKLISTS: list[str] = [
    "ramtid.worklists.RolesToApprove",
    "bestallning.worklists.DecisionsToApprove",
    "genomforandeplan.worklists.PlansToReview",
    "genomforandeplan.worklists.ReturnedPlans",
    "genomforandeplan.worklists.MissingPlans",
    "bestallning.worklists.NeedChangesToAnswer",
    "bestallning.worklists.MyDrafts",
    "bestallning.worklists.DecisionsAtManager",
    "bestallning.worklists.WaitingForProvider",
    "bestallning.worklists.NewOrders",
    "genomforandeplan.worklists.WithoutContactPerson",
    "genomforandeplan.worklists.PlansToWrite",
    "genomforandeplan.worklists.FollowUpsDue",
    "uppfoljning.worklists.notices.Notices",
    "uppfoljning.worklists.time.MonthsToExplain",
    "uppfoljning.worklists.continuity.ContinuityFlags",
    "uppfoljning.worklists.time.TimeToDecide",
    "uppfoljning.worklists.time.OverTime",
    "uppfoljning.worklists.reviews.ReviewsDue",
    "uppfoljning.worklists.complaints.ComplaintsToAnswer",
    "uppfoljning.worklists.complaints.ComplaintsToFollowUp",
]
# Pages later apps add to the main menu: callables of the user returning ramtid.permissions.NavItem.
RAMTID_NAVIGATION: list[str] = [
    "uppfoljning.views.imports.navigation",
    "uppfoljning.views.time.navigation",
    "uppfoljning.views.reviews.navigation",
    "uppfoljning.views.notices.navigation",
    "uppfoljning.views.complaints.navigation",
    "uppfoljning.views.liaison.navigation",
    "genomforandeplan.views_reports.navigation",
    "uppfoljning.views.dashboard.navigation",
]
# Sections later apps add to the start page (the unit manager's way to the dashboard).
RAMTID_START_PANELS: list[str] = ["uppfoljning.views.dashboard.start_panel"]
# Sections later apps add to the order page (the plan's deadline status, genomforandeplan).
RAMTID_ORDER_PANELS: list[str] = ["genomforandeplan.panels.order_panel"]
# What `manage.py load_demo` loads, in order: the core's demo, then each app's on top of it.
RAMTID_DEMO_LOADERS = [
    "ramtid.demo.load_demo",
    "bestallning.demo.load",
    "uppfoljning.demo.notices_before_plans",
    "genomforandeplan.demo.load",
    "uppfoljning.demo.load",
]
# What `manage.py generate_load_data` runs, in order (README "Benchmarks"): the core builds the
# municipality, its organisations, users and clients, then each app its rows on top of them.
RAMTID_LOAD_DATA_LOADERS = [
    "ramtid.loaddata.load",
    "bestallning.loaddata.load",
    "genomforandeplan.loaddata.load",
    "uppfoljning.loaddata.load",
]

# PostgreSQL only: there is no SQLite code path. `make run`/`make test` start a private server.
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "Ramtid kräver PostgreSQL: DATABASE_URL måste börja med postgres://."
    )
# The PostgreSQL role the application runs as, when it is not the owner that runs `migrate`
# (ramtid/database_roles.py, README "Säkerhet och dataskydd"): `migrate` grants it what it needs.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "ramtid.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"
# The lockout's backend goes first: it refuses a locked-out username before any password is
# checked. It has no get_user, so the test client's force_login picks ModelBackend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # "Sommar2026!!": a common word or a season, month or day with digits and signs around it.
    {"NAME": "ramtid.password_validation.PredictablePasswordValidator"},
]

# Lockout (django-axes, README "Säkerhet och dataskydd"): after RAMTID_LOGIN_FAILURE_LIMIT failed
# sign-ins for a username, on the site or in the admin, that username is refused for
# RAMTID_LOGIN_COOLOFF_MINUTES, the right password too. By username, not by address: a whole
# municipality may sign in from one address. A successful sign-in clears the count; attempts
# while locked out do not prolong the lockout. Kept in the database, nothing else to run.
AXES_FAILURE_LIMIT = env.int("RAMTID_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("RAMTID_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address too; the failures of a username are added up over every address
# and browser it was tried from, so rotating them does not help, and locking an address would lock
# out every colleague behind the municipality's one address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# axes logs each sign-in and reset at INFO; the failures it records in its own table are enough
# (and the log must carry no usernames of people who mistyped).
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "ramtid.accounts.lockout_response"
# The client address as the audit trail takes it (DJANGO_BEHIND_PROXY).
AXES_CLIENT_IP_CALLABLE = "ramtid.audit.client_ip"
AXES_COOLOFF_MESSAGE = _(
    "Inloggningen är tillfälligt spärrad efter för många misslyckade försök. Försök igen senare."
)

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska"))]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Only with DJANGO_DEBUG=1: serve static files straight from the finders, without collectstatic.
# `make run` and `make test` collect them and serve them as production does.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
WHITENOISE_AUTOREFRESH = DEBUG

# Redis: Celery's broker and the cache. Without REDIS_URL (only `make run`), tasks run eagerly.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
if not REDIS_URL and not CELERY_TASK_ALWAYS_EAGER:
    raise ImproperlyConfigured("REDIS_URL måste vara satt när Celery-uppgifter inte körs direkt.")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task not acknowledged within this time is delivered again (Redis visibility timeout); it is
# longer than any task runs, and tasks are idempotent, so a redelivery does no harm.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 3600}
CELERY_TIMEZONE = TIME_ZONE
# One beat (docker-compose's `beat` service), Swedish time (CELERY_TIMEZONE). Both jobs run every
# morning and are idempotent: the monthly check starts each municipality's check on its own day
# (Municipality.monthly_check_day) and re-checks its unfrozen months; the plan check opens and
# closes notices by stable keys.
CELERY_BEAT_SCHEDULE: dict = {
    "monthly-time-check": {
        "task": "uppfoljning.tasks.monthly_check_due_task",
        "schedule": crontab(hour=5, minute=30),
    },
    "daily-plan-check": {
        "task": "uppfoljning.tasks.plan_check_task",
        "schedule": crontab(hour=6, minute=0),
    },
    # Retention (gallring, uppfoljning.retention): at night on the 1st, when nobody works and
    # before the morning's checks; removes what last month's report announced, reports the next.
    "monthly-retention": {
        "task": "uppfoljning.tasks.retention_task",
        "schedule": crontab(hour=3, minute=15, day_of_month=1),
    },
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A session ends after RAMTID_SESSION_IDLE_MINUTES without a request, RAMTID_SESSION_MAX_AGE after
# signing in however active, and when the browser closes (ramtid/session_timeout.py). The
# stored session's expiry is the idle time: each request that counts as activity renews it.
RAMTID_SESSION_IDLE_SECONDS = 60 * env.int("RAMTID_SESSION_IDLE_MINUTES", default=30)
RAMTID_SESSION_MAX_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_AGE = RAMTID_SESSION_IDLE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# HTTPS: on unless DJANGO_HTTPS=0 (only `make run` and `make test`, served on 127.0.0.1).
HTTPS = env.bool("DJANGO_HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
# The HSTS preload list takes whole registrable domains (e.g. jarfalla.se): a decision for the
# municipality's domain owner, not for one application on a subdomain.
SILENCED_SYSTEM_CHECKS += ["security.W021"]
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies whose X-Forwarded-For the audit trail believes (addresses or networks): a request
# from anywhere else is logged with the address it came from, whatever header it sends, so
# reaching gunicorn directly cannot forge an address (issue 10). Compose: Docker's networks.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy: everything from our own origin, no inline scripts. The one exception is
# a page that asks for request.csp_nonce (only the API docs, whose Swagger UI starts from an
# inline script): its header then allows inline code carrying that page's nonce. Pages that do not
# ask get no nonce in their header.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Single sign-on through OpenID Connect against the municipality's identity provider
# (ramtid/oidc.py, README "Säkerhet och dataskydd"): off unless RAMTID_OIDC_ISSUER is set. The
# provider's endpoints are read from its discovery document on the first sign-in through it, not
# here. Sign-on creates no users and grants no roles: the provider's user is matched to an
# existing active account (RAMTID_OIDC_CLAIM against RAMTID_OIDC_USER_FIELD). Passwords keep
# working alongside. A function, so that a test can switch it on as these lines do.


def single_sign_on(
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    claim: str,
    user_field: str,
    scopes: str,
    sign_algo: str,
    end_provider_session: bool,
    authentication_backends: list[str],
    content_security_policy: dict,
) -> dict:
    """The settings single sign-on adds; only RAMTID_OIDC_ISSUER (empty) when it is off."""
    if not issuer:
        return {"RAMTID_OIDC_ISSUER": ""}
    address = urlsplit(issuer)
    try:
        loopback = ipaddress.ip_address(address.hostname or "").is_loopback
    except ValueError:
        loopback = address.hostname == "localhost"
    # Plain HTTP only to a provider on this machine (the tests' fake provider).
    secure = address.scheme == "https" or (address.scheme == "http" and loopback)
    if not address.hostname or not secure:
        raise ImproperlyConfigured(
            "RAMTID_OIDC_ISSUER måste vara en https-adress, t.ex. https://login.kommun.se/realms/x."
        )
    if not client_id or not client_secret:
        raise ImproperlyConfigured(
            "RAMTID_OIDC_CLIENT_ID och RAMTID_OIDC_CLIENT_SECRET måste vara satta när "
            "RAMTID_OIDC_ISSUER är det."
        )
    if user_field not in ("username", "email"):
        raise ImproperlyConfigured("RAMTID_OIDC_USER_FIELD måste vara username eller email.")
    if not claim:
        raise ImproperlyConfigured("RAMTID_OIDC_CLAIM får inte vara tom.")
    if "openid" not in scopes.split():
        raise ImproperlyConfigured("RAMTID_OIDC_SCOPES måste innehålla openid.")
    # Signed with the provider's published keys; not with the client secret (HS256).
    algorithms = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
    if sign_algo not in algorithms:
        raise ImproperlyConfigured(
            f"RAMTID_OIDC_SIGN_ALGO måste vara en av {', '.join(algorithms)}."
        )
    directives = content_security_policy["DIRECTIVES"]
    return {
        "RAMTID_OIDC_ISSUER": issuer,
        "RAMTID_OIDC_CLAIM": claim,
        "RAMTID_OIDC_USER_FIELD": user_field,
        "RAMTID_OIDC_END_PROVIDER_SESSION": end_provider_session,
        # mozilla-django-oidc's own settings.
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": client_secret,
        "OIDC_RP_SIGN_ALGO": sign_algo,
        "OIDC_RP_SCOPES": scopes,
        "OIDC_USE_PKCE": True,
        "OIDC_CREATE_USER": False,
        # The id token is the hint the provider's sign-out asks for.
        "OIDC_STORE_ID_TOKEN": end_provider_session,
        # Seconds to wait for the provider: a hanging provider must not hold a worker.
        "OIDC_TIMEOUT": 10,
        # After the lockout's backend and the password's: the lockout still goes first.
        "AUTHENTICATION_BACKENDS": [*authentication_backends, "ramtid.oidc.OIDCBackend"],
        # Signing out posts a form that is redirected to the provider's end-session endpoint:
        # the browser checks that redirect against form-action.
        "CONTENT_SECURITY_POLICY": {
            **content_security_policy,
            "DIRECTIVES": {
                **directives,
                "form-action": [*directives["form-action"], f"{address.scheme}://{address.netloc}"],
            },
        },
    }


# Module-level names are the settings: what single_sign_on returns becomes them.
globals().update(
    single_sign_on(
        issuer=env.str("RAMTID_OIDC_ISSUER", default=""),
        client_id=env.str("RAMTID_OIDC_CLIENT_ID", default=""),
        client_secret=env.str("RAMTID_OIDC_CLIENT_SECRET", default=""),
        claim=env.str("RAMTID_OIDC_CLAIM", default="preferred_username"),
        user_field=env.str("RAMTID_OIDC_USER_FIELD", default="username"),
        scopes=env.str("RAMTID_OIDC_SCOPES", default="openid profile email"),
        sign_algo=env.str("RAMTID_OIDC_SIGN_ALGO", default="RS256"),
        end_provider_session=env.bool("RAMTID_OIDC_END_PROVIDER_SESSION", default=True),
        authentication_backends=AUTHENTICATION_BACKENDS,
        content_security_policy=CONTENT_SECURITY_POLICY,
    )
)

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="ramtid@localhost")
# The site's address for links in e-mails (they carry a link, never personal data), e.g.
# https://ramtid.kommun.se. Empty: https:// and the first of DJANGO_ALLOWED_HOSTS.
RAMTID_SITE_URL = env.str("RAMTID_SITE_URL", default="")

# Retention (gallring, uppfoljning.retention): what the monthly job removes it announced in a
# report at least this many days earlier.
RAMTID_RETENTION_NOTICE_DAYS = env.int("RAMTID_RETENTION_NOTICE_DAYS", default=28)
# The sign-in records (django-axes: who signed in, when, from where) are removed by the same
# monthly job after this many days.
RAMTID_SIGNIN_LOG_DAYS = env.int("RAMTID_SIGNIN_LOG_DAYS", default=365)

# API keys (issue 10, ramtid/api/authentication.py): each key may send RAMTID_API_RATE requests
# ("120/min": 120 a minute, counted per key in the cache; empty: no limit) and is valid for at
# most RAMTID_API_TOKEN_MAX_DAYS days (a new key's default).
RAMTID_API_RATE = env.str("RAMTID_API_RATE", default="120/min")
RAMTID_API_TOKEN_MAX_DAYS = env.int("RAMTID_API_TOKEN_MAX_DAYS", default=365)

REST_FRAMEWORK = {
    # The key first: a refused key is then a 401 (the first class names the scheme).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ramtid.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "ramtid.api.permissions.ApiTokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["ramtid.api.throttling.ApiTokenThrottle"],
    # drf-spectacular's, with what it misses of read-only model fields (ramtid/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "ramtid.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "ramtid.api.pagination.Pagination",
    # JSON without NUL characters or absurd nesting (ramtid/api/parsers.py), forms as DRF reads.
    "DEFAULT_PARSER_CLASSES": [
        "ramtid.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 100,
    # Query-parameter filters are django-filter FilterSets, declared on each viewset.
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # The services' Django ValidationError becomes a 400 with their Swedish messages by field.
    "EXCEPTION_HANDLER": "ramtid.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ramtid API",
    "DESCRIPTION": "Beställningar, genomförandeplaner och uppföljning av hemtjänst med ramtid.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe case data: for those who have signed in, like the API.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No online validator badge: it would send the schema's address to validator.swagger.io, and
    # the CSP blocks the image anyway.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    # Assessed and intended function level share one choice set: one enum in the schema.
    "ENUM_NAME_OVERRIDES": {
        "FunctionLevelEnum": "bestallning.choices.FunctionLevel",
        "InterventionCategoryEnum": "ramtid.choices.InterventionCategory",
        "ExplanationCategoryEnum": "uppfoljning.choices.ExplanationCategory",
        "ComplaintCategoryEnum": "uppfoljning.choices.ComplaintCategory",
    },
}

# The audit trail: pghistory's event tables refuse UPDATE and DELETE, and the context (who, from
# where, which request or task) is stored in each event row, so it cannot be rewritten either.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "ramtid.logging.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
