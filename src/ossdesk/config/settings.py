"""Settings: every value comes from the environment (see the README's configuration table).

Production differs from development only by environment values.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import django_stubs_ext

from ossdesk.config.env import (
    PRIVATE_DIRECTORY,
    PRIVATE_FILE,
    ConfigurationError,
    create_private,
    data_dir,
    database_from_url,
    embedded_database,
    env_bool,
    env_int,
    env_list,
    make_private,
    redis_from_url,
    sqlite_database,
)

# Django's generic classes (ModelAdmin[Ticket], ModelForm[Ticket], ...) take type parameters at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()


def _secret_key() -> str:
    configured = os.environ.get("OSSDESK_SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ConfigurationError("OSSDESK_SECRET_KEY must be at least 32 characters long")
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Created 0600, never readable by others even for a moment.
        with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "w") as out:
            out.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def _encryption_keys() -> list[str]:
    """Fernet keys for secrets at rest, newest first (docs/operations.md, "Secrets at rest")."""
    keys = env_list("OSSDESK_ENCRYPTION_KEYS", [])
    for number, key in enumerate(keys, start=1):
        try:
            length = len(base64.urlsafe_b64decode(key.encode("ascii")))
        except ValueError:  # binascii.Error, or a character outside ASCII
            length = 0
        if length != 32:  # the key itself is never printed
            raise ConfigurationError(
                f"OSSDESK_ENCRYPTION_KEYS: key {number} of {len(keys)} is not a Fernet key "
                "(44 characters of url-safe base64; `ossdesk secrets key` makes one)"
            )
    return keys


SECRET_KEY = _secret_key()
for _name in ("secret_key", "ossdesk.sqlite3", "ossdesk.sqlite3-wal", "ossdesk.sqlite3-shm", "queue.sqlite3"):
    make_private(DATA_DIR / _name)
# Empty: secrets are encrypted with a key derived from SECRET_KEY (ossdesk.crypto).
OSSDESK_ENCRYPTION_KEYS = _encryption_keys()
DEBUG = env_bool("OSSDESK_DEBUG", default=False)
ALLOWED_HOSTS = env_list("OSSDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("OSSDESK_CSRF_TRUSTED_ORIGINS", [])
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("OSSDESK_BEHIND_TLS_PROXY") else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("OSSDESK_SECURE_COOKIES", default=False)
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "huey.contrib.djhuey",
    "ossdesk.accounts",
    "ossdesk.audit",
    "ossdesk.customers",
    "ossdesk.products",
    "ossdesk.plans",
    "ossdesk.tickets",
    "ossdesk.security",
    "ossdesk.channels",
    "ossdesk.webhooks",
    "ossdesk.kb",
    "ossdesk.forum",
    "ossdesk.search",
    "ossdesk.surveys",
    "ossdesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees a view's exception first: a write that met a busy database answers 503.
    "ossdesk.doors.busy.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "ossdesk.config.urls"
WSGI_APPLICATION = "ossdesk.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["ossdesk.accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ossdesk.doors.context.actor",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", "").strip()
DATABASES = {
    "default": database_from_url(_database_url)
    if _database_url
    else sqlite_database(embedded_database(DATA_DIR))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# How long a write waits, in all, for a busy database before the request is answered 503 (ossdesk.database).
OSSDESK_DB_BUSY_PATIENCE = env_int("OSSDESK_DB_BUSY_PATIENCE", 30)
if OSSDESK_DB_BUSY_PATIENCE < 0:
    raise ConfigurationError(f"OSSDESK_DB_BUSY_PATIENCE={OSSDESK_DB_BUSY_PATIENCE} must not be negative")

_redis_url = os.environ.get("OSSDESK_REDIS_URL", "").strip()
REDIS = redis_from_url(_redis_url) if _redis_url else None

LOG_LEVEL = os.environ.get("OSSDESK_LOG_LEVEL", "INFO").upper()
if REDIS is not None:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS.url,
            "KEY_PREFIX": "ossdesk",
        }
    }
    HUEY = {
        "huey_class": "ossdesk.config.queue.RedisHuey",
        "name": "ossdesk",
        "url": REDIS.url,
        "immediate": False,
        "utc": True,
        "consumer": {
            "workers": env_int("OSSDESK_WORKER_THREADS", 2),
            "worker_type": "thread",
            "verbose": LOG_LEVEL == "DEBUG",
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Created 0600 before Huey opens it; SQLite gives its WAL and SHM files the same mode.
    create_private(DATA_DIR / "queue.sqlite3")
    HUEY = {
        "huey_class": "ossdesk.config.queue.SqliteHuey",
        "name": "ossdesk",
        "filename": str(DATA_DIR / "queue.sqlite3"),
        "immediate": False,
        "utc": True,
        "consumer": {
            "workers": env_int("OSSDESK_WORKER_THREADS", 2),
            "worker_type": "thread",
            # SQLite cannot block until a task arrives: an idle worker polls, backing off to at most
            # this many seconds (Huey's default, 10 s, would make an SLA notice up to 10 s late).
            "max_delay": 0.25,
            # Huey logs two lines per task at INFO (a dozen periodic tasks a minute): only at DEBUG.
            "verbose": LOG_LEVEL == "DEBUG",
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Django's storage chmods each saved file to FILE_UPLOAD_PERMISSIONS (0644 by default), whatever the umask.
FILE_UPLOAD_PERMISSIONS = PRIVATE_FILE
FILE_UPLOAD_DIRECTORY_PERMISSIONS = PRIVATE_DIRECTORY

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ossdesk.accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ossdesk.doors.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "ossdesk.doors.schema.AutoSchema",
    "EXCEPTION_HANDLER": "ossdesk.doors.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ossdesk API",
    "DESCRIPTION": "Subscriptions, entitlements, helpdesk, security assurance and compliance for "
    "commercial open-source support. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Nothing from other hosts (ossdesk.web.api_docs): Swagger UI's default online validator would send
    # the schema's URL to validator.swagger.io and load its badge from there; Redoc would load web fonts.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif',
                "headings": {"fontFamily": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Several choice sets share a field name; without a name of their own each generation warns.
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "ossdesk.tickets.models.Status",
        "ContactRoleEnum": "ossdesk.customers.models.Contact.Role",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"refusals": {"()": "ossdesk.config.logs.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The worker's consumer installs its own handler on "huey"; do not print its lines twice.
        "huey": {"propagate": False},
        "django.request": {"filters": ["refusals"]},
        # aiosmtpd (`ossdesk mail lmtp`) logs every command of every delivery at INFO, addresses included.
        "mail.log": {"level": "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING"},
    },
}

OSSDESK_ADMIN_PASSWORD = os.environ.get("OSSDESK_ADMIN_PASSWORD") or None
OSSDESK_PORT = env_int("OSSDESK_PORT", 8000)
OSSDESK_HOST = os.environ.get("OSSDESK_HOST", "127.0.0.1")
OSSDESK_WEB_WORKERS = env_int("OSSDESK_WEB_WORKERS", 2)
# Who publishes the vendor's advisories (CSAF document.publisher, OSV database_specific).
OSSDESK_VENDOR_NAME = os.environ.get("OSSDESK_VENDOR_NAME", "ossdesk demo vendor")
OSSDESK_VENDOR_URL = os.environ.get("OSSDESK_VENDOR_URL", "https://support.example.com")
# An inventory upload that would close more findings than this (or any critical one) waits for a
# confirmation (docs/security.md).
OSSDESK_UPLOAD_CONFIRM_CLOSING = env_int("OSSDESK_UPLOAD_CONFIRM_CLOSING", 10)
# Larger inventory uploads are stored raw and answered at once (202); the worker reads and matches them
# in short transactions. Caps: components per inventory, uploads in progress per organisation.
OSSDESK_UPLOAD_INLINE_BYTES = env_int("OSSDESK_UPLOAD_INLINE_BYTES", 1024 * 1024)
OSSDESK_UPLOAD_MAX_COMPONENTS = env_int("OSSDESK_UPLOAD_MAX_COMPONENTS", 500_000)
OSSDESK_UPLOADS_IN_PROGRESS_PER_ORGANIZATION = env_int("OSSDESK_UPLOADS_IN_PROGRESS_PER_ORGANIZATION", 2)
OSSDESK_ATTACHMENT_MAX_BYTES = env_int("OSSDESK_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# Webhooks (docs/webhooks.md): plain http:// and private/loopback targets only for local testing.
OSSDESK_WEBHOOKS_ALLOW_HTTP = env_bool("OSSDESK_WEBHOOKS_ALLOW_HTTP", default=False)
OSSDESK_WEBHOOKS_TIMEOUT = env_int("OSSDESK_WEBHOOKS_TIMEOUT", 5)
OSSDESK_WEBHOOKS_MAX_ATTEMPTS = env_int("OSSDESK_WEBHOOKS_MAX_ATTEMPTS", 8)
OSSDESK_WEBHOOKS_DISABLE_AFTER = env_int("OSSDESK_WEBHOOKS_DISABLE_AFTER", 10)
# Request bodies up to the attachment limit plus room for the form around it.
DATA_UPLOAD_MAX_MEMORY_SIZE = OSSDESK_ATTACHMENT_MAX_BYTES + 1024 * 1024

# Outbound e-mail (docs/channels.md). Without OSSDESK_SMTP_HOST mail is stored in the outbox, not sent.
OSSDESK_MAIL_DOMAIN = os.environ.get("OSSDESK_MAIL_DOMAIN", "").strip()
OSSDESK_MAIL_FROM = os.environ.get("OSSDESK_MAIL_FROM", "").strip()
OSSDESK_MAIL_LINK_URL = os.environ.get("OSSDESK_MAIL_LINK_URL", "").strip() or OSSDESK_VENDOR_URL
OSSDESK_SMTP_HOST = os.environ.get("OSSDESK_SMTP_HOST", "").strip()
OSSDESK_SMTP_USER = os.environ.get("OSSDESK_SMTP_USER", "")
OSSDESK_SMTP_PASSWORD = os.environ.get("OSSDESK_SMTP_PASSWORD", "")
OSSDESK_SMTP_STARTTLS = env_bool("OSSDESK_SMTP_STARTTLS", default=False)
OSSDESK_SMTP_SSL = env_bool("OSSDESK_SMTP_SSL", default=False)
if OSSDESK_SMTP_STARTTLS and OSSDESK_SMTP_SSL:
    raise ConfigurationError("Set OSSDESK_SMTP_STARTTLS or OSSDESK_SMTP_SSL, not both")
_smtp_default_port = 465 if OSSDESK_SMTP_SSL else 587 if OSSDESK_SMTP_STARTTLS else 25
OSSDESK_SMTP_PORT = env_int("OSSDESK_SMTP_PORT", _smtp_default_port)
OSSDESK_SMTP_TIMEOUT = env_int("OSSDESK_SMTP_TIMEOUT", 30)
OSSDESK_MAIL_MAX_ATTEMPTS = env_int("OSSDESK_MAIL_MAX_ATTEMPTS", 8)
OSSDESK_MAIL_DIGEST_HOUR = env_int("OSSDESK_MAIL_DIGEST_HOUR", 7)
if not 0 <= OSSDESK_MAIL_DIGEST_HOUR <= 23:
    raise ConfigurationError(f"OSSDESK_MAIL_DIGEST_HOUR={OSSDESK_MAIL_DIGEST_HOUR} is not an hour (0-23)")
if OSSDESK_MAIL_MAX_ATTEMPTS < 1:
    raise ConfigurationError(f"OSSDESK_MAIL_MAX_ATTEMPTS={OSSDESK_MAIL_MAX_ATTEMPTS} must be at least 1")

# Inbound e-mail (docs/channels.md, "E-mail in"): mailboxes are rows (channels.Mailbox); these bound them.
OSSDESK_MAIL_MAX_BYTES = env_int("OSSDESK_MAIL_MAX_BYTES", 30 * 1024 * 1024)
OSSDESK_MAIL_LMTP_HOST = os.environ.get("OSSDESK_MAIL_LMTP_HOST", "").strip() or "127.0.0.1"
OSSDESK_MAIL_LMTP_PORT = env_int("OSSDESK_MAIL_LMTP_PORT", 8024)
OSSDESK_MAIL_REPLY_LIMIT = env_int("OSSDESK_MAIL_REPLY_LIMIT", 5)
# Files kept from one inbound mail; the rest are named on the ticket as left out.
OSSDESK_MAIL_MAX_ATTACHMENTS = env_int("OSSDESK_MAIL_MAX_ATTACHMENTS", 50)
if OSSDESK_MAIL_MAX_ATTACHMENTS < 1:
    raise ConfigurationError(
        f"OSSDESK_MAIL_MAX_ATTACHMENTS={OSSDESK_MAIL_MAX_ATTACHMENTS} must be at least 1"
    )
OSSDESK_MAIL_NOTIFY_HELD = env_bool("OSSDESK_MAIL_NOTIFY_HELD", default=True)
OSSDESK_MAIL_CA_FILE = os.environ.get("OSSDESK_MAIL_CA_FILE", "").strip()
OSSDESK_MAIL_IMAP_TIMEOUT = env_int("OSSDESK_MAIL_IMAP_TIMEOUT", 60)
if OSSDESK_MAIL_CA_FILE and not Path(OSSDESK_MAIL_CA_FILE).is_file():
    raise ConfigurationError(f"OSSDESK_MAIL_CA_FILE={OSSDESK_MAIL_CA_FILE} is not a file")

# Community forum rate limits (docs/forum.md): counted from the database, staff exempt.
OSSDESK_FORUM_THREADS_PER_HOUR = env_int("OSSDESK_FORUM_THREADS_PER_HOUR", 10)
OSSDESK_FORUM_POSTS_PER_10_MINUTES = env_int("OSSDESK_FORUM_POSTS_PER_10_MINUTES", 20)
OSSDESK_FORUM_NEW_ACCOUNT_DAYS = env_int("OSSDESK_FORUM_NEW_ACCOUNT_DAYS", 3)
OSSDESK_FORUM_NEW_ACCOUNT_THREADS_PER_HOUR = env_int("OSSDESK_FORUM_NEW_ACCOUNT_THREADS_PER_HOUR", 3)
OSSDESK_FORUM_NEW_ACCOUNT_POSTS_PER_10_MINUTES = env_int("OSSDESK_FORUM_NEW_ACCOUNT_POSTS_PER_10_MINUTES", 5)
