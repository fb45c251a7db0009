"""Settings shared by every environment. Environment variables are read here and listed in the README."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SHARED_DATA_DIR = Path(environ.Env().str("ECAB_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms.accounts",
    "cms.org",
    "cms.groups",
    "cms.dashboard",
    "cms.audit",
    "cms.pages",
    "cms.library",
    "cms.attendance",
    "search",
    "wagtail.api.v2",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cms.accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cms.accounts.middleware.AccountGateMiddleware",
    "cms.org.admin_views.AdminScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cms.accounts.csp.AdminScriptHashesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

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
                "cms.dashboard.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound by the server rather than quoted into the text by the driver, so statements a
    # connection repeats (the attendance submission's, every request's session and token reads) are
    # prepared once per connection by psycopg and not parsed and planned again.
    server_side_binding = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = server_side_binding
    # Django turns psycopg's prepared statements off unless OPTIONS names a threshold: without it every
    # statement was parsed, analysed and planned again (a third of PostgreSQL's CPU per submission).
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5 if server_side_binding else None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("REDIS_URL", default="locmemcache://ecab")}
# Live attendance events go through Redis pub/sub when it is configured, otherwise stay in the process.
LIVE_REDIS_URL = env.str("REDIS_URL", default="")
# Where browsers open the live stream: the ASGI process behind the same host (see README, Deployment).
LIVE_EVENTS_URL = env.str("LIVE_EVENTS_URL", default="/live/attendance/")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "cms.accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
WAGTAILADMIN_LOGIN_URL = "accounts:login"
WAGTAIL_FRONTEND_LOGIN_URL = "/"

# Sessions: an idle timeout (the cookie age, renewed on each request) and an absolute lifetime
# enforced by cms.accounts.middleware.SessionLifetimeMiddleware.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=10 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Sign-in protection: django-axes locks an account after repeated failures; a per-IP rate limit
# (django-ratelimit) slows down guessing spread over many accounts from one address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "cms.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cms.accounts.security.client_ip"
# Behind N trusted reverse proxies the client address is the Nth entry from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_IP_RATE = env.str("LOGIN_IP_RATE", default="30/10m")
# Per-IP protection is the rate limit above, so axes locks per account only (axes.W006).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # One process on the embedded default: a local-memory cache is shared by all its requests.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]

# Roles whose accounts must use a second factor (TOTP). Schools may enable it voluntarily.
TWO_FACTOR_REQUIRED_ROLES = env.list(
    "TWO_FACTOR_REQUIRED_ROLES", default=["don_editor", "don_analyst", "don_admin", "ruo_staff", "site_admin"]
)
OTP_TOTP_ISSUER = "Е-кабінет ДОН Київ"

LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", "Українська")]
TIME_ZONE = "Europe/Kyiv"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("uk", "Українська")]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

WAGTAIL_SITE_NAME = "Е-кабінет освітнього управління"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILDOCS_DOCUMENT_MODEL = "library.LibraryDocument"
# Documents are only ever served by the portal's permission-checking view (cms.library.views.serve_document).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "txt", "csv", "png", "jpg", "jpeg"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.library.forms.LibraryDocumentForm"
# Search: the database backend on the embedded default and PostgreSQL ('simple' text search configuration:
# the text is already lemmatised by search.analysis); OpenSearch when OPENSEARCH_URL is set, or Elasticsearch 8
# when ELASTICSEARCH_URL is, with the database kept as the fallback that answers while the engine is unreachable.
DATABASE_SEARCH = {"BACKEND": "search.database", "SEARCH_CONFIG": "simple"}
OPENSEARCH_URL = env.str("OPENSEARCH_URL", default="")
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
if OPENSEARCH_URL and ELASTICSEARCH_URL:
    raise ImproperlyConfigured("Set OPENSEARCH_URL or ELASTICSEARCH_URL, not both: the portal searches one engine.")
if OPENSEARCH_URL or ELASTICSEARCH_URL:
    engine = "OPENSEARCH" if OPENSEARCH_URL else "ELASTICSEARCH"  # lower case: not a setting
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            # Wagtail's opensearch3 or elasticsearch8 backend, creating an index with its mapping before the
            # first write to it.
            "BACKEND": "search.backends" if OPENSEARCH_URL else "search.backends.PortalElasticsearchBackend",
            "URLS": [OPENSEARCH_URL or ELASTICSEARCH_URL],
            "INDEX_PREFIX": env.str(f"{engine}_INDEX_PREFIX", default="ecab-"),
            "TIMEOUT": env.int(f"{engine}_TIMEOUT", default=5),
            "ATOMIC_REBUILD": True,
        },
        "fallback": DATABASE_SEARCH,
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": DATABASE_SEARCH}
WAGTAIL_PASSWORD_RESET_ENABLED = False
# No avatars from Gravatar: the site loads nothing from other hosts (CSP, closed network).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILUSERS_PASSWORD_ENABLED = True

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="e-kabinet@localhost")

# Content Security Policy: no inline scripts anywhere; no external hosts (the site works on a closed network).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated request gets 401 with a WWW-Authenticate header.
        "cms.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cms.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Е-кабінет освітнього управління API",
    "VERSION": "1.0.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "PREPROCESSING_HOOKS": ["cms.api.schema.portal_endpoints_only"],
    "ENUM_NAME_OVERRIDES": {
        "DocumentKindEnum": "cms.library.models.DocumentKind",
        "LegalStatusEnum": "cms.library.models.LegalStatus",
        "CommunityKindEnum": "cms.groups.models.Community.Kind",
        "SchoolStatusEnum": "cms.org.models.School.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}


# Content lifecycle: pages are due for review after this many days; they leave the current listings for
# the archive after ECAB_ARCHIVE_AFTER_DAYS (or when an editor archives them).
ECAB_REVIEW_INTERVAL_DAYS = env.int("ECAB_REVIEW_INTERVAL_DAYS", default=365)
ECAB_ARCHIVE_AFTER_DAYS = env.int("ECAB_ARCHIVE_AFTER_DAYS", default=3 * 365)

# Uploads: size and archive limits, and an optional scanner (a dotted path to a callable taking the
# uploaded file and raising django.core.exceptions.ValidationError), e.g. a ClamAV client.
ECAB_UPLOAD_MAX_BYTES = env.int("ECAB_UPLOAD_MAX_BYTES", default=25 * 1024 * 1024)
ECAB_ZIP_MAX_UNCOMPRESSED_BYTES = env.int("ECAB_ZIP_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024)
ECAB_ZIP_MAX_FILES = env.int("ECAB_ZIP_MAX_FILES", default=2000)
ECAB_UPLOAD_SCANNER = env.str("ECAB_UPLOAD_SCANNER", default="")

# Background work (text extraction, indexing): django-tasks with its database backend; run
# `manage.py db_worker` beside the web process.
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
