"""Palier's settings, read from the environment (see docs/configuration.md).

`PALIER_ENV` chooses the defaults: `production` (the default: secure cookies, HTTPS, no
debug), `demo` (plain HTTP on localhost, a generated secret kept in the data folder) or
`test`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from palier.lib.env import ConfigError, env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent
PALIER_ENV = env_str("PALIER_ENV", "production")
if PALIER_ENV not in {"production", "demo", "test"}:
    raise ConfigError(f"PALIER_ENV must be production, demo or test; got {PALIER_ENV!r}")
IS_PRODUCTION = PALIER_ENV == "production"

DATA_DIR = env_path("PALIER_DATA_DIR", Path.cwd() / "var")


def _secret_key() -> str:
    key = env_str("PALIER_SECRET_KEY")
    if key:
        return key
    if IS_PRODUCTION:
        return ""  # refused by system check palier.E001
    if PALIER_ENV == "test":
        return "test-only-" + "x" * 50
    # The demo keeps a generated key in its data folder so sessions survive restarts;
    # `palier demo` writes it (ops/secrets.py) and hands it to its children. Loading the
    # settings writes nothing: a process without the file signs with a key of its own.
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = env_bool("PALIER_DEBUG", False)
ALLOWED_HOSTS = env_list(
    "PALIER_ALLOWED_HOSTS",
    [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env_list("PALIER_CSRF_TRUSTED_ORIGINS", [])
PALIER_BASE_URL = env_str("PALIER_BASE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_tasks",
    "django_tasks_db",
    "template_partials",
    "csp",
    "ninja",  # serves the API docs' Swagger UI from static files (no CDN)
    "django_otp",  # two-factor sign-in (palier/accounts/twofactor.py)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes
    "django_otp_webauthn",  # passkeys and security keys
    "palier.accounts",
    "palier.customers",
    "palier.tickets",
    "palier.billing",
    "palier.engineering",
    "palier.sla",
    "palier.mailgateway",
    "palier.triage",
    "palier.knowledge",
    "palier.api",
    "palier.web",
    "palier.ops",
    "palier.workspace",
    "palier.audit",
    "palier.people",
    "palier.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "palier.web.middleware.UserLanguageMiddleware",  # after auth: the user's language
    "palier.audit.middleware.AuditOriginMiddleware",  # where this request's changes come from
    "palier.web.middleware.NoStoreMiddleware",  # signed-in answers are never cached
    "palier.web.replay.ReplayMiddleware",  # a request sent twice is answered once
    "django.contrib.messages.middleware.MessageMiddleware",
    "palier.accounts.sessions.SessionActivityMiddleware",  # last seen, staff idle time-out
    "palier.accounts.twofactor.TwoFactorMiddleware",  # a session owing its second factor
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "palier.urls"
WSGI_APPLICATION = "palier.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% csrf_token %} also renders each form's one-time submission key.
            "builtins": ["palier.web.templatetags.submission"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
            ],
        },
    },
]


def _databases() -> dict:
    url = env_str("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=env_int("PALIER_DB_CONN_MAX_AGE", 60))
        if db["ENGINE"] == "django.db.backends.postgresql":
            # A health check is a "SELECT 1" round trip before every request's first query.
            # Without it, a web process whose connection broke (PostgreSQL restarted) fails
            # that one request and reconnects on the next. On by PALIER_DB_HEALTH_CHECKS=1.
            db["CONN_HEALTH_CHECKS"] = env_bool("PALIER_DB_HEALTH_CHECKS", False)
            # A ticket page joins seven tables (select_related). With the default limit of 8
            # PostgreSQL weighs every join order and spent 12-40 ms planning a query that
            # runs in 1 ms (docs/performance.md); 4 keeps it to ~1.5 ms while small queries
            # are still reordered freely. ORM joins already follow foreign keys outward.
            db.setdefault("OPTIONS", {})["options"] = "-c join_collapse_limit=4"
            # Prepared statements: a statement run a fifth time on a connection is kept
            # planned. The seven-join ticket query spent 1.1-1.4 ms planning for 0.2-0.4 ms of
            # work, the token look-up 0.2 for 0.05, on every request. Off behind a pooler in
            # transaction mode (PgBouncer), which cannot keep them: PALIER_PG_PREPARED=0.
            if env_bool("PALIER_PG_PREPARED", True):
                db["OPTIONS"]["server_side_binding"] = True
                db["OPTIONS"]["prepare_threshold"] = 5
            # One test database per process, so that two suites can run side by side.
            db["TEST"] = {"NAME": f"test_{db['NAME']}_{os.getpid()}"}
        return {"default": db}
    # The data folder is created when the database is first opened (lib/sqlite_writer),
    # not here: `palier --help` must leave nothing behind.
    return {
        "default": {
            "ENGINE": "palier.lib.sqlite_writer",
            "NAME": str(DATA_DIR / "palier.sqlite3"),
            # Keep the connection between requests, as on PostgreSQL: opening one runs the
            # PRAGMAs below and starts with a cold page cache, ~2.5 ms of every request
            # (docs/performance.md).
            "CONN_MAX_AGE": env_int("PALIER_DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA mmap_size=268435456;PRAGMA cache_size=-65536;"
                ),
            },
            "TEST": {"NAME": str(DATA_DIR / f"test-palier-{os.getpid()}.sqlite3")},
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in and password-reset limits must hold across worker processes: a database cache
# (its table is created by palier/web/migrations/0001_rate_limit_cache_table.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "palier_ratelimit_cache",
    },
}

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if PALIER_ENV == "test"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default", "mail"],
    }
}

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if PALIER_ENV == "test"
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("it", "Italiano")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("PALIER_TIME_ZONE", "Europe/Zurich")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if PALIER_ENV == "test"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = PALIER_ENV != "production"

# Request size: the API refuses bodies above this with a JSON error, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PALIER_MAX_BODY_BYTES", 2 * 1024 * 1024, minimum=1024)
PALIER_MAX_ATTACHMENT_BYTES = env_int("PALIER_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
# A whole form with files (a reply and its attachments) is refused above this, with 413,
# before it is read (palier/lib/body_limit.py, wrapped around the WSGI application).
PALIER_MAX_UPLOAD_BYTES = env_int("PALIER_MAX_UPLOAD_BYTES", 25 * 1024 * 1024, minimum=1024)

# Sign-in, two-factor, sessions and tokens (docs/security.md, docs/configuration.md).
SESSION_ENGINE = "palier.accounts.sessions"
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link lives one hour
# Tests travel in time with signed-in staff: there the time-out is off unless a test sets it.
PALIER_STAFF_IDLE_MINUTES = env_int(
    "PALIER_STAFF_IDLE_MINUTES", 0 if PALIER_ENV == "test" else 60, minimum=0
)
# Roles that must sign in with a second factor (check palier.E201 refuses unknown roles).
PALIER_2FA_REQUIRED_ROLES = frozenset(
    env_list("PALIER_2FA_REQUIRED_ROLES", ["manager", "admin"] if IS_PRODUCTION else [])
)
PALIER_2FA_REMEMBER_DAYS = env_int("PALIER_2FA_REMEMBER_DAYS", 30, minimum=0)
OTP_TOTP_ISSUER = env_str("PALIER_2FA_ISSUER", "Palier")
OTP_WEBAUTHN_RP_ID = env_str("PALIER_WEBAUTHN_RP_ID") or (urlsplit(PALIER_BASE_URL).hostname or "")
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    "{0.scheme}://{0.netloc}".format(urlsplit(PALIER_BASE_URL)),
    *env_list("PALIER_WEBAUTHN_EXTRA_ORIGINS", []),
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a second factor, after the password
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "palier.signin"

# Security. Production defaults are strict; the demo serves plain HTTP on localhost.
SECURE = IS_PRODUCTION and not env_bool("PALIER_INSECURE_HTTP", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
PALIER_BEHIND_PROXY = env_bool("PALIER_BEHIND_PROXY", False)
# The proxies whose X-Forwarded-For names the caller (web/ratelimit.py).
PALIER_TRUSTED_PROXIES = frozenset(env_list("PALIER_TRUSTED_PROXIES", ["127.0.0.1", "::1"]))
SECURE_SSL_REDIRECT = SECURE and not PALIER_BEHIND_PROXY
SECURE_HSTS_SECONDS = env_int("PALIER_HSTS_SECONDS", 31536000 if SECURE else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
if PALIER_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

EMAIL_BACKEND = env_str("PALIER_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("PALIER_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("PALIER_SMTP_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("PALIER_FROM_EMAIL", "support@palier.localhost")

# The demo writes its mail as .eml files in the data folder instead of sending it.
if PALIER_ENV == "demo" and not env_str("PALIER_MAIL_OUTBOX_DIR"):
    PALIER_MAIL_OUTBOX_DIR = str(DATA_DIR / "outbox")
if PALIER_ENV == "demo" and not env_str("PALIER_EMAIL_BACKEND"):
    # Django's own mail (password resets, prepaid alerts) lands in the same folder.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"

# Consulting billing (see docs/configuration.md). Decimals stay strings: billing/conf.py parses
# them and system checks palier.E101–E105 reject bad values.
# The learned triage (palier/triage): its model file, and the confidence below which it
# suggests nothing (chosen by cross-validation on the cold-start set: ~91 % of what it then
# suggests is right, and it answers ~88 % of requests).
PALIER_TRIAGE_MODEL = env_path("PALIER_TRIAGE_MODEL", DATA_DIR / "triage" / "model.joblib")
PALIER_TRIAGE_MIN_CONFIDENCE = env_int("PALIER_TRIAGE_MIN_CONFIDENCE_PERCENT", 40, minimum=0) / 100
# How many of the newest qualified tickets a retraining reads (bounds its time and memory).
PALIER_TRIAGE_MAX_TICKETS = env_int("PALIER_TRIAGE_MAX_TICKETS", 100_000, minimum=0)
PALIER_BILLING_VAT_RATE = env_str("PALIER_BILLING_VAT_RATE", "0.081")
PALIER_BILLING_MARGIN = env_str("PALIER_BILLING_MARGIN", "0.10")
PALIER_BILLING_LINK_MAX_AGE = env_int("PALIER_BILLING_LINK_MAX_AGE", 14 * 24 * 3600, minimum=60)
PALIER_BILLING_CREDITOR = {
    key: value
    for key, value in {
        "name": env_str("PALIER_CREDITOR_NAME"),
        "street": env_str("PALIER_CREDITOR_STREET"),
        "house_num": env_str("PALIER_CREDITOR_HOUSE_NUMBER"),
        "pcode": env_str("PALIER_CREDITOR_POSTCODE"),
        "city": env_str("PALIER_CREDITOR_CITY"),
        "country": env_str("PALIER_CREDITOR_COUNTRY"),
        "iban": env_str("PALIER_CREDITOR_IBAN"),
    }.items()
    if value
}

# Invoices: the vendor's UID for VAT, payment terms, the unit time is billed in (checks
# palier.E106, E107).
PALIER_BILLING_VAT_NUMBER = env_str("PALIER_BILLING_VAT_NUMBER")
PALIER_BILLING_PAYMENT_DAYS = env_int("PALIER_BILLING_PAYMENT_DAYS", 30, minimum=0)
PALIER_BILLING_UNIT = env_str("PALIER_BILLING_UNIT", "0.05h")
PALIER_BILLING_ROUNDING = env_str("PALIER_BILLING_ROUNDING", "up")

PALIER_REOPEN_DAYS = env_int("PALIER_REOPEN_DAYS", 14, minimum=0)
# Days an invitation's set-password link works (it works once).
PALIER_INVITATION_DAYS = env_int("PALIER_INVITATION_DAYS", 7, minimum=1)
PALIER_VENDOR_NAME = env_str("PALIER_VENDOR_NAME", "Palier Software SA")

# `palier serve`: gunicorn's worker processes and the address it listens on.
PALIER_WEB_WORKERS = env_int("PALIER_WEB_WORKERS", 2, minimum=1)
PALIER_BIND = env_str("PALIER_BIND", "127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PALIER_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
