"""Settings for the proCure backend.

Every value comes from the environment (or a `.env` file beside manage.py)
through django-environ; `.env.example` documents each variable. A bad or
missing required value stops the service at start-up with a message that
names the variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set when DEBUG is off."
        )
    return value


def _positive_int(name: str, default: int) -> int:
    try:
        value = env.int(name, default=default)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from exc
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, got {value}.")
    return value


def _flag(name: str, default: bool) -> bool:
    # Stricter than env.bool, which reads any unknown value (a typo such as
    # "ture") as false: a security switch must not turn itself off silently.
    value = env.str(name, default="").strip().lower()
    if not value:
        return default
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}.")


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = (
    env.str("SECRET_KEY", default="insecure-debug-only-key")
    if DEBUG
    else _required("SECRET_KEY")
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

# Where gunicorn listens (gunicorn.conf.py reads these settings, so `.env`
# configures it too). Local mode stays on loopback; a deployment listens on
# every interface, behind its proxy. GUNICORN_BIND overrides both, e.g. with
# unix:/run/procure.sock.
PORT = _positive_int("PORT", 8000)
if PORT > 65535:
    raise ImproperlyConfigured(f"PORT must be at most 65535, got {PORT}.")
BIND_ADDRESS = env.str(
    "BIND_ADDRESS",
    default="127.0.0.1" if DEBUG else "0.0.0.0",  # noqa: S104 - behind a proxy
)
SERVER_BIND = env.str("GUNICORN_BIND", default=f"{BIND_ADDRESS}:{PORT}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "accounts",
    "contracts",
    "discovery",
    "url_visits",
    "analytics",
    "health",
    "audit",
    "alerts",
    "organizations",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "procure_site.middleware.ApiCacheControlMiddleware",
    "procure_site.middleware.RequestSizeLimitMiddleware",
    "procure_site.middleware.UnsafeTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out admin login into 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "procure_site.urls"
WSGI_APPLICATION = "procure_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "procure_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite beside the code when DATABASE_URL is unset; PostgreSQL (psycopg 3)
# in production, with persistent connections that are health-checked before
# reuse so that a restarted database does not leave workers with dead ones.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
POSTGRESQL_ENGINE = "procure_site.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no round trip while
    # the connection is idle (procure_site/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = POSTGRESQL_ENGINE
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DB_CONNECT_TIMEOUT", default=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (`make run`) serves gunicorn's workers and the email worker
    # (db_worker) from one file, and lets one connection write at a time.
    # WAL lets readers carry on while someone writes; a writer waits up to
    # DB_SQLITE_BUSY_TIMEOUT seconds for its turn; and BEGIN IMMEDIATE takes
    # the write lock when a transaction starts, so that the wait can work: a
    # deferred transaction that has read and then wants to write is told
    # "database is locked" at once, without waiting
    # (procure_site/tests/test_sqlite_concurrency.py). With WAL,
    # synchronous=NORMAL loses no committed data when the process dies, only
    # the last transactions when the machine does.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": _positive_int("DB_SQLITE_BUSY_TIMEOUT", 10),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
# DATABASE_URL reaches PostgreSQL through a pooler in transaction mode
# (PgBouncer's pool_mode = transaction), where each transaction may run on a
# different server connection: nothing may outlive a transaction on the
# server. In Django that is only the WITH HOLD cursor of QuerySet.iterator()
# outside a transaction, so server-side cursors are turned off. Its cursors
# bind parameters on the client and prepare nothing, and its one session
# setting, the time zone, is one PgBouncer sets again on each server
# connection it lends (docs/scaling.md; health/tests/test_pgbouncer.py). The
# prepared statements below are off by default behind such a pooler.
DATABASE_TRANSACTION_POOLER = _flag("DATABASE_TRANSACTION_POOLER", default=False)
if DATABASE_TRANSACTION_POOLER:
    if DATABASES["default"]["ENGINE"] != POSTGRESQL_ENGINE:
        raise ImproperlyConfigured(
            "DATABASE_TRANSACTION_POOLER is for PostgreSQL; DATABASE_URL names "
            "another database."
        )
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# The few statements every extension request runs are prepared on the server
# (procure_site/prepared.py). Off by default behind a pooler in transaction
# mode, which may not carry them from one transaction to the next (PgBouncer
# before 1.21); on again there with DB_PREPARED_STATEMENTS=true for a pooler
# that does.
DB_PREPARED_STATEMENTS = _flag(
    "DB_PREPARED_STATEMENTS", default=not DATABASE_TRANSACTION_POOLER
)
if DB_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == POSTGRESQL_ENGINE:
    # Django turns psycopg's prepared statements off (threshold None). With
    # a threshold no statement reaches, only those run with prepare=True are
    # prepared: Django's own cursors bind on the client and never prepare.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1

# An optional read replica (a streaming standby of the primary) for the
# analytics reads; see procure_site/db_router.py and docs/scaling.md. The
# test runner does not create a database on a read-only standby: the replica
# alias mirrors the primary's test database, and the replica tests point it
# at the standby themselves.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    replica = env.db_url_config(DATABASE_REPLICA_URL)
    if replica["ENGINE"] == "django.db.backends.postgresql":
        replica["ENGINE"] = POSTGRESQL_ENGINE
    if replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name the same kind of database as "
            "DATABASE_URL (a replica of it)."
        )
    replica["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    replica["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer quickly is skipped for the primary.
    replica.setdefault("OPTIONS", {})["connect_timeout"] = _positive_int(
        "DB_REPLICA_CONNECT_TIMEOUT", 2
    )
    # Off here too: a pooled replica needs it, and no code needs the cursors.
    replica["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_TRANSACTION_POOLER
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = replica
    DATABASE_ROUTERS = ["procure_site.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The default cache holds the limits (throttles, the sign-in lockout) and must
# be one that every worker shares, or each worker would keep its own counts:
# by default a table in the database (created by health's migration 0002),
# Redis when CACHE_URL names it (redis://host:6379/0), which production
# should. A per-process cache (locmemcache://) is refused for it. "local" is
# this process's own memory, for what is safe to hold per worker: the host
# matching tables, keyed by the version of what they were built from.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="dbcache://procure_cache"),
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "procure-local",
    },
}
_DEFAULT_CACHE = CACHES["default"]["BACKEND"]
if _DEFAULT_CACHE in (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
):
    raise ImproperlyConfigured(
        "CACHE_URL must name a cache every worker shares (dbcache://procure_cache "
        "or redis://...): limits kept per process are multiplied by the number "
        "of workers."
    )
if _DEFAULT_CACHE == "django.core.cache.backends.db.DatabaseCache":
    # Django's default of 300 entries would drop sign-in counts as soon as
    # a few hundred addresses had been throttled. Past this many, expired
    # entries are deleted first, then a third of the rest.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)

AUTH_USER_MODEL = "accounts.User"
# django-axes checks each admin login for a lockout before the password is
# looked at (see ADMIN_LOGIN_FAILURE_LIMIT below).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.PasswordCompositionValidator"},
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_VALIDATORS}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured("ADMIN_URL must end with '/' and not start with one.")

# The admin login (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT wrong
# passwords for one account from one address, or from one address whatever
# the account, that address is refused (429) for ADMIN_LOGIN_COOLOFF_MINUTES,
# even with the right password. After ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT for
# one account from all addresses, only addresses it signed in from before may
# try (accounts/admin_login.py). A completed password reset lifts both.
# The API's sign-in has its own lockout; axes watches only the admin site.
AXES_ONLY_ADMIN_SITE = True
# accounts/admin.py registers axes' pages itself, with actions that ask for
# the permission they need (axes offers its clean-up to anyone who may view).
AXES_ENABLE_ADMIN = False
AXES_FAILURE_LIMIT = _positive_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT = _positive_int(
    "ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT", 50
)
if ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT must be at least ADMIN_LOGIN_FAILURE_LIMIT."
    )
AXES_COOLOFF_TIME = timedelta(minutes=_positive_int("ADMIN_LOGIN_COOLOFF_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.admin_login.AdminLoginHandler"
AXES_RESET_ON_SUCCESS = True
# The admin's login form names the email field "username"; it is counted as
# the account it signs in to, whatever its case.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.admin_login.admin_login_username"
AXES_CLIENT_IP_CALLABLE = "procure_site.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/login_locked_out.html"

# Request bodies larger than this are refused with 413 before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = _positive_int("MAX_REQUEST_BYTES", 2_621_440)

# How many proxies in front of gunicorn append to X-Forwarded-For. Throttles
# count the address that many hops from the right of the header; 0 ignores the
# header, so that a client cannot reset its counts by sending one of its own.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_COUNT must be 0 or more, got {TRUSTED_PROXY_COUNT}."
    )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerAuthentication",
        "accounts.authentication.CookieAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, checked for depth and unsafe text (procure_site/parsers.py);
    # the contracts import alone adds multipart for its file.
    "DEFAULT_PARSER_CLASSES": ["procure_site.parsers.JSONBodyParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "procure_site.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "procure_site.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "sign_in": env.str("THROTTLE_SIGN_IN_RATE", default="10/minute"),
        "sign_up": env.str("THROTTLE_SIGN_UP_RATE", default="20/hour"),
        # Emails proCure sends on request: a fresh verification link (per
        # user) and a password-reset link (per client address).
        "verify_email": env.str("THROTTLE_VERIFY_EMAIL_RATE", default="5/hour"),
        "password_reset": env.str("THROTTLE_PASSWORD_RESET_RATE", default="5/hour"),
        # Test messages an admin sends to the organization's webhook, per user:
        # each is an outbound request to a URL a customer typed.
        "webhook_test": env.str("THROTTLE_WEBHOOK_TEST_RATE", default="10/hour"),
        # Invitations an admin sends, per user: each is an email to a person.
        "invitation": env.str("THROTTLE_INVITATION_RATE", default="30/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# Failed sign-ins (passwords, not device tokens) in SIGN_IN_LOCKOUT_MINUTES:
# past SIGN_IN_LOCKOUT_FAILURES for one account from one network, that
# network waits for the window to end; past SIGN_IN_LOCKOUT_ACCOUNT_FAILURES
# for one account from all networks, only networks the account signed in from
# before may try. A completed password reset lifts both
# (accounts/services/lockout.py).
SIGN_IN_LOCKOUT_FAILURES = _positive_int("SIGN_IN_LOCKOUT_FAILURES", 10)
SIGN_IN_LOCKOUT_ACCOUNT_FAILURES = _positive_int(
    "SIGN_IN_LOCKOUT_ACCOUNT_FAILURES", 100
)
if SIGN_IN_LOCKOUT_ACCOUNT_FAILURES < SIGN_IN_LOCKOUT_FAILURES:
    raise ImproperlyConfigured(
        "SIGN_IN_LOCKOUT_ACCOUNT_FAILURES must be at least SIGN_IN_LOCKOUT_FAILURES."
    )
SIGN_IN_LOCKOUT_MINUTES = _positive_int("SIGN_IN_LOCKOUT_MINUTES", 15)
# Password-reset emails to one address per hour, whoever asks.
PASSWORD_RESET_EMAILS_PER_HOUR = _positive_int("PASSWORD_RESET_EMAILS_PER_HOUR", 5)

# The web app's cookie. Secure and SameSite=None by default because the web
# app calls cross-origin with credentials; Lax under DEBUG so that plain-HTTP
# local development works.
AUTH_COOKIE_NAME = env.str("AUTH_COOKIE_NAME", default="procure_auth")
AUTH_COOKIE_AGE = timedelta(days=_positive_int("AUTH_COOKIE_DAYS", 30))
AUTH_COOKIE_SECURE = env.bool("AUTH_COOKIE_SECURE", default=not DEBUG)
AUTH_COOKIE_SAMESITE = env.str(
    "AUTH_COOKIE_SAMESITE", default="Lax" if DEBUG else "None"
)
if AUTH_COOKIE_SAMESITE not in ("Lax", "Strict", "None"):
    raise ImproperlyConfigured("AUTH_COOKIE_SAMESITE must be Lax, Strict or None.")

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=_positive_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=_positive_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    # Tokens carry a hash of the password: changing it ends every session.
    "CHECK_REVOKE_TOKEN": True,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

CORS_ALLOWED_ORIGINS = env.list(
    "CORS_ALLOWED_ORIGINS",
    default=["http://localhost:3000", "http://127.0.0.1:3000"],
)
# The Chrome extension's origin(s), e.g. chrome-extension://abcdef...; a
# separate setting so that the web app's list stays a list of web origins.
EXTENSION_ORIGINS = env.list("EXTENSION_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = [*CORS_ALLOWED_ORIGINS, *EXTENSION_ORIGINS]
CORS_ALLOW_CREDENTIALS = True
# Only the API (and the health endpoints the clients check) answer other
# origins: the admin and the account pages are this site's own, and a grant
# with credentials there would let the web app's origin read them.
CORS_URLS_REGEX = r"^/(api/.*|ping|healthz|readyz)?$"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Origins whose cookie-authenticated unsafe requests are accepted.
TRUSTED_ORIGINS = [*CORS_ALLOWED_ORIGINS, *CSRF_TRUSTED_ORIGINS]

# Ingestion.
URL_VISITS_MAX_BATCH = _positive_int("URL_VISITS_MAX_BATCH", 1000)
ACTIVITY_RETENTION_DAYS = _positive_int("ACTIVITY_RETENTION_DAYS", 400)
# When on, url-visits refuses (403) reports from users who have not verified
# their email address, so that an account signed up with someone else's
# address cannot report usage in that person's name.
REQUIRE_VERIFIED_EMAIL_FOR_REPORTING = _flag(
    "REQUIRE_VERIFIED_EMAIL_FOR_REPORTING", default=False
)
# Largest contracts CSV accepted by the import endpoint and command.
CONTRACT_IMPORT_MAX_BYTES = _positive_int("CONTRACT_IMPORT_MAX_BYTES", 1_048_576)

# Outgoing email (verification and password-reset links). EMAIL_URL picks the
# backend: consolemail:// prints to the log (the default), and e.g.
# smtp+tls://user:password@smtp.example.com:587 sends through SMTP.
try:
    _email = env.email_url("EMAIL_URL", default="consolemail://")
except ImproperlyConfigured as exc:
    raise ImproperlyConfigured(
        "EMAIL_URL must be an email URL such as consolemail:// or "
        "smtp+tls://user:password@smtp.example.com:587."
    ) from exc
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
# With DEBUG off, gunicorn (wsgi.py) and `check --deploy` refuse the console
# backend, which would write reset links to the log, unless this says the log
# is private enough (procure_site/checks.py).
ALLOW_CONSOLE_EMAIL = _flag("ALLOW_CONSOLE_EMAIL", default=False)
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# The URL's port, else the usual one for its kind of connection.
EMAIL_PORT = _email["EMAIL_PORT"] or (
    465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25
)
# A mail server that hangs must not hold a web worker for long.
EMAIL_TIMEOUT = _positive_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="proCure <no-reply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# This service's own public URL (what people's browsers reach it at, behind
# the proxy). It serves the pages that emailed links open: /account/verify-email,
# /account/reset-password and /account/accept-invitation.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")
# Base of the links in emails; this service's pages by default. A web app that
# grows pages of its own at the same paths may take them over.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=SITE_URL).rstrip("/")
# The web app, which the pages link back to.
WEB_APP_URL = env.str("WEB_APP_URL", default="http://localhost:3000").rstrip("/")
for _name, _url in (
    ("SITE_URL", SITE_URL),
    ("PUBLIC_BASE_URL", PUBLIC_BASE_URL),
    ("WEB_APP_URL", WEB_APP_URL),
):
    if not _url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"{_name} must start with https:// (or http:// for local use)."
        )
# How long a verification link works, and a password-reset link (Django's
# PASSWORD_RESET_TIMEOUT, in seconds, read by its default token generator).
EMAIL_VERIFICATION_MAX_AGE = timedelta(
    hours=_positive_int("EMAIL_VERIFICATION_MAX_AGE_HOURS", 72)
)
PASSWORD_RESET_TIMEOUT = _positive_int("PASSWORD_RESET_TIMEOUT_HOURS", 24) * 3600
# Opening an expired verification link emails a new one to the address at
# most once in this many minutes; sooner, the page says to check the inbox.
EMAIL_VERIFICATION_RESEND_MINUTES = _positive_int(
    "EMAIL_VERIFICATION_RESEND_MINUTES", 15
)
INVITATION_MAX_AGE = timedelta(days=_positive_int("INVITATION_MAX_AGE_DAYS", 7))
# Invitations sent to one address in 24 hours, revoked ones included, whoever
# sends them: inviting and revoking again and again cannot flood a mailbox.
INVITATIONS_PER_ADDRESS_PER_DAY = _positive_int("INVITATIONS_PER_ADDRESS_PER_DAY", 3)

# Where emails are sent from: "database" (the default) stores each email as a
# task that `manage.py db_worker` sends, outside the request; "immediate" sends
# it during the request (tests, or a deployment without a worker).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be database or immediate, got {TASKS_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}

# Outbound webhooks of the renewal and waste digests go to URLs that customers
# type, so by default only HTTPS to public addresses is allowed: loopback,
# private, link-local (cloud metadata) and other non-public addresses are
# refused after DNS resolution. Turn this on for tests and on-premises
# installs whose chat server lives on the private network; it also allows
# plain http://.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = _flag("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=False)
# Seconds a webhook delivery may take in all, from resolving the name to the
# last byte of the answer, so that a slow receiver cannot hold up the others.
WEBHOOK_TIMEOUT_SECONDS = _positive_int("WEBHOOK_TIMEOUT_SECONDS", 5)

# Security headers. Production defaults are strict; DEBUG relaxes the ones
# that would break plain-HTTP local development.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("TRUST_X_FORWARDED_PROTO", default=True)
    else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^ping$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True

SPECTACULAR_SETTINGS = {
    "TITLE": "proCure API",
    "DESCRIPTION": (
        "proCure matches employees' SaaS usage, reported by the browser "
        "extension, to the organization's contracts, and shows admins "
        "active users against seats and spend."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {},
    # Swagger UI and ReDoc come from drf-spectacular-sidecar's pinned copies,
    # served by whitenoise: the docs work offline and no third-party script
    # runs on the API's origin.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One group per area of the API, in this order.
    "TAGS": [
        {"name": "auth", "description": "Sign-up, sign-in and out, tokens, email"},
        {"name": "url-visits", "description": "What the extension reports"},
        {"name": "me", "description": "What is recorded about the signed-in user"},
        {"name": "contracts", "description": "The organization's SaaS contracts"},
        {
            "name": "organizations",
            "description": "Members, roles, tracking and the audit log",
        },
        {
            "name": "analytics",
            "description": "Active users against seats and spend",
        },
        {"name": "health", "description": "Service information, liveness, readiness"},
    ],
    # Adds the 503, 413 and page 404 that every operation can answer.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "procure_site.schema.add_common_error_responses",
    ],
}

SERVICE_VERSION = "1.0.0"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request logs would carry paths; keep Django's at WARNING.
        "django.request": {"level": "ERROR"},
        # django-axes announces its version at INFO in every process, so every
        # management command would print it before its own output.
        "axes.apps": {"level": "WARNING"},
    },
}
