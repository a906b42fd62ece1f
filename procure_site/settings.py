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

from procure_site import api_settings, database_settings
from procure_site.environment import env, flag, positive_int, required

BASE_DIR = Path(__file__).resolve().parent.parent

environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = (
    env.str("SECRET_KEY", default="insecure-debug-only-key")
    if DEBUG
    else required("SECRET_KEY")
)
# Former keys, comma-separated, while SECRET_KEY is rotated: Django's signed
# values (emailed links) and the stored client secrets (identity/secrets.py)
# made under them still work. The web app's cookie (a JWT) does not: people
# sign in again.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

# Where gunicorn listens (gunicorn.conf.py reads these settings, so `.env`
# configures it too). Local mode stays on loopback; a deployment listens on
# every interface, behind its proxy. GUNICORN_BIND overrides both, e.g. with
# unix:/run/procure.sock.
PORT = positive_int("PORT", 8000)
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
    "reclaims",
    "identity",
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
                "identity.context.staff_sign_in",
            ],
        },
    },
]

# The databases (SQLite by default, PostgreSQL, a pooler, a replica) and the
# caches: procure_site/database_settings.py says how each is read.
_databases = database_settings.databases_read(base_dir=BASE_DIR)
DATABASES = _databases.databases
POSTGRESQL_ENGINE = database_settings.POSTGRESQL_ENGINE
DATABASE_TRANSACTION_POOLER = _databases.transaction_pooler
DB_PREPARED_STATEMENTS = _databases.prepared_statements
DATABASE_REPLICA_URL = _databases.replica_url
DATABASE_ROUTERS = _databases.routers
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = database_settings.caches_read()

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
AXES_FAILURE_LIMIT = positive_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT = positive_int(
    "ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT", 50
)
if ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT must be at least ADMIN_LOGIN_FAILURE_LIMIT."
    )
AXES_COOLOFF_TIME = timedelta(minutes=positive_int("ADMIN_LOGIN_COOLOFF_MINUTES", 60))
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
DATA_UPLOAD_MAX_MEMORY_SIZE = positive_int("MAX_REQUEST_BYTES", 2_621_440)

# How many proxies in front of gunicorn append to X-Forwarded-For. Throttles
# count the address that many hops from the right of the header; 0 ignores the
# header, so that a client cannot reset its counts by sending one of its own.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_COUNT must be 0 or more, got {TRUSTED_PROXY_COUNT}."
    )

REST_FRAMEWORK = api_settings.rest_framework(trusted_proxy_count=TRUSTED_PROXY_COUNT)
# Failed sign-ins (passwords, not device tokens) in SIGN_IN_LOCKOUT_MINUTES:
# past SIGN_IN_LOCKOUT_FAILURES for one account from one network, that
# network waits for the window to end; past SIGN_IN_LOCKOUT_ACCOUNT_FAILURES
# for one account from all networks, only networks the account signed in from
# before may try. A completed password reset lifts both
# (accounts/services/lockout.py).
SIGN_IN_LOCKOUT_FAILURES = positive_int("SIGN_IN_LOCKOUT_FAILURES", 10)
SIGN_IN_LOCKOUT_ACCOUNT_FAILURES = positive_int("SIGN_IN_LOCKOUT_ACCOUNT_FAILURES", 100)
if SIGN_IN_LOCKOUT_ACCOUNT_FAILURES < SIGN_IN_LOCKOUT_FAILURES:
    raise ImproperlyConfigured(
        "SIGN_IN_LOCKOUT_ACCOUNT_FAILURES must be at least SIGN_IN_LOCKOUT_FAILURES."
    )
SIGN_IN_LOCKOUT_MINUTES = positive_int("SIGN_IN_LOCKOUT_MINUTES", 15)
# Password-reset emails to one address per hour, whoever asks.
PASSWORD_RESET_EMAILS_PER_HOUR = positive_int("PASSWORD_RESET_EMAILS_PER_HOUR", 5)

# The web app's cookie. Secure and SameSite=None by default because the web
# app calls cross-origin with credentials; Lax under DEBUG so that plain-HTTP
# local development works.
AUTH_COOKIE_NAME = env.str("AUTH_COOKIE_NAME", default="procure_auth")
AUTH_COOKIE_AGE = timedelta(days=positive_int("AUTH_COOKIE_DAYS", 30))
AUTH_COOKIE_SECURE = env.bool("AUTH_COOKIE_SECURE", default=not DEBUG)
AUTH_COOKIE_SAMESITE = env.str(
    "AUTH_COOKIE_SAMESITE", default="Lax" if DEBUG else "None"
)
if AUTH_COOKIE_SAMESITE not in ("Lax", "Strict", "None"):
    raise ImproperlyConfigured("AUTH_COOKIE_SAMESITE must be Lax, Strict or None.")

SIMPLE_JWT = api_settings.simple_jwt(secret_key=SECRET_KEY)

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
URL_VISITS_MAX_BATCH = positive_int("URL_VISITS_MAX_BATCH", 1000)
ACTIVITY_RETENTION_DAYS = positive_int("ACTIVITY_RETENTION_DAYS", 400)
# When on, url-visits refuses (403) reports from users who have not verified
# their email address, so that an account signed up with someone else's
# address cannot report usage in that person's name.
REQUIRE_VERIFIED_EMAIL_FOR_REPORTING = flag(
    "REQUIRE_VERIFIED_EMAIL_FOR_REPORTING", default=False
)
# Largest contracts CSV accepted by the import endpoint and command.
CONTRACT_IMPORT_MAX_BYTES = positive_int("CONTRACT_IMPORT_MAX_BYTES", 1_048_576)

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
ALLOW_CONSOLE_EMAIL = flag("ALLOW_CONSOLE_EMAIL", default=False)
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
EMAIL_TIMEOUT = positive_int("EMAIL_TIMEOUT", 10)
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
# Sign-in with an identity provider (identity/): the staff's own provider
# for the admin (off while STAFF_OIDC_ISSUER is empty), and whether an
# organization's issuer may be a loopback or private address (development
# and tests only: an admin-typed URL must not reach the service's network).
STAFF_OIDC_ISSUER = env.str("STAFF_OIDC_ISSUER", default="").rstrip("/")
STAFF_OIDC_CLIENT_ID = env.str("STAFF_OIDC_CLIENT_ID", default="")
STAFF_OIDC_CLIENT_SECRET = env.str("STAFF_OIDC_CLIENT_SECRET", default="")
OIDC_ALLOW_PRIVATE_ISSUERS = env.bool("OIDC_ALLOW_PRIVATE_ISSUERS", default=DEBUG)
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
    hours=positive_int("EMAIL_VERIFICATION_MAX_AGE_HOURS", 72)
)
PASSWORD_RESET_TIMEOUT = positive_int("PASSWORD_RESET_TIMEOUT_HOURS", 24) * 3600
# Opening an expired verification link emails a new one to the address at
# most once in this many minutes; sooner, the page says to check the inbox.
EMAIL_VERIFICATION_RESEND_MINUTES = positive_int(
    "EMAIL_VERIFICATION_RESEND_MINUTES", 15
)
INVITATION_MAX_AGE = timedelta(days=positive_int("INVITATION_MAX_AGE_DAYS", 7))
# Invitations sent to one address in 24 hours, revoked ones included, whoever
# sends them: inviting and revoking again and again cannot flood a mailbox.
INVITATIONS_PER_ADDRESS_PER_DAY = positive_int("INVITATIONS_PER_ADDRESS_PER_DAY", 3)

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
WEBHOOK_ALLOW_PRIVATE_NETWORKS = flag("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=False)
# Seconds a webhook delivery may take in all, from resolving the name to the
# last byte of the answer, so that a slow receiver cannot hold up the others.
WEBHOOK_TIMEOUT_SECONDS = positive_int("WEBHOOK_TIMEOUT_SECONDS", 5)

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

SPECTACULAR_SETTINGS = api_settings.SPECTACULAR_SETTINGS

SERVICE_VERSION = "1.0.0"

LOGGING = api_settings.logging_config()
