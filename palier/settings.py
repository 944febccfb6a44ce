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
    "palier.exports",
    "palier.webhooks",
    "palier.satisfaction",
    "palier.dashboards",
]

MIDDLEWARE = [
    "palier.ops.middleware.OpsEndpointsMiddleware",  # /healthz, /readyz, /metrics; timing
    "palier.api.url_limit.ApiUrlLimitMiddleware",  # an API address too long: JSON 414
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
    "palier.web.csp.CSPMiddleware",  # django-csp's, the plain policy built once
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

# The common widgets written in Python: a <select> through the templates costs one
# template render per option (palier/web/form_renderer.py).
FORM_RENDERER = "palier.web.form_renderer.WidgetRenderer"


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
            # A pool of connections per process (psycopg_pool through Django's "pool"
            # option): requests borrow one and give it back, instead of each process
            # keeping one for CONN_MAX_AGE. Sized per process: gunicorn's sync workers need
            # one each, so it pays off with threads or many short scripts. Behind PgBouncer
            # in transaction mode leave it off and set PALIER_PG_PREPARED=0.
            pool_size = env_int("PALIER_DB_POOL_SIZE", 0, minimum=0)
            if pool_size:
                db["CONN_MAX_AGE"] = 0  # the pool keeps the connections
                db["OPTIONS"]["pool"] = {
                    "min_size": 1,
                    "max_size": pool_size,
                    "timeout": env_int("PALIER_DB_POOL_TIMEOUT", 10, minimum=1),
                }
            # One test database per process, so that two suites can run side by side.
            db["TEST"] = {"NAME": f"test_{db['NAME']}_{os.getpid()}"}
        elif db["ENGINE"] == "django.db.backends.sqlite3":
            # sqlite:///path is the embedded desk at another place: same writer and PRAGMAs
            # (a plain backend's deferred transactions failed with "database is locked" as
            # soon as another process wrote between their first read and first write).
            return {"default": _sqlite(db["NAME"])}
        return {"default": db}
    # The data folder is created when the database is first opened (lib/sqlite_writer),
    # not here: `palier --help` must leave nothing behind.
    database = _sqlite(str(DATA_DIR / "palier.sqlite3"))
    database["TEST"] = {"NAME": str(DATA_DIR / f"test-palier-{os.getpid()}.sqlite3")}
    return {"default": database}


def _sqlite(name: str) -> dict:
    return {
        "ENGINE": "palier.lib.sqlite_writer",
        "NAME": name,
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
    }


DATABASES = _databases()
# The tickets' covering indexes carry columns for PostgreSQL's index-only scans (INCLUDE);
# SQLite builds them without those columns, as intended. Its warning (models.W040) was
# printed by every `palier` command of the embedded desk, `palier demo` first.
SILENCED_SYSTEM_CHECKS = (
    ["models.W040"] if DATABASES["default"]["ENGINE"] == "palier.lib.sqlite_writer" else []
)
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


def _file_storage(prefix: str) -> dict:
    """Attachments and exports: the local disk (PALIER_DATA_DIR/media), or an S3-compatible
    object store when PALIER_S3_BUCKET is set, so that web and worker processes on several
    machines share the files (django-storages). Code goes through Django's storage API
    (`FileField`, `storages["exports"]`) and never through a path."""
    bucket = env_str("PALIER_S3_BUCKET")
    if not bucket:
        # No location for media: FileSystemStorage then follows MEDIA_ROOT.
        options = {} if prefix == "media" else {"location": DATA_DIR / prefix}
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": options}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("PALIER_S3_ENDPOINT_URL") or None,
            "region_name": env_str("PALIER_S3_REGION") or None,
            # Unset: boto3's own chain (environment, instance role, ~/.aws).
            "access_key": env_str("PALIER_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("PALIER_S3_SECRET_ACCESS_KEY") or None,
            "location": "/".join(p for p in (env_str("PALIER_S3_PREFIX"), prefix) if p),
            # Files are private: downloads go through Palier, which checks who asks.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": _file_storage("media"),
    "exports": _file_storage("exports"),
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


def _webauthn_origin() -> tuple[str, str]:
    """Passkeys' relying party (a host name) and origin: the desk's public address. Browsers
    allow passkeys over HTTPS, or over plain HTTP on localhost only: a plain-HTTP address
    (the demo's http://127.0.0.1:8000) offers them at http://localhost on the same port."""
    base = urlsplit(PALIER_BASE_URL)
    if base.scheme == "https" or base.hostname == "localhost":
        return base.hostname or "", f"{base.scheme}://{base.netloc}"
    port = f":{base.port}" if base.port else ""
    return "localhost", f"http://localhost{port}"


OTP_WEBAUTHN_RP_ID, _origin = _webauthn_origin()
OTP_WEBAUTHN_RP_ID = env_str("PALIER_WEBAUTHN_RP_ID") or OTP_WEBAUTHN_RP_ID
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = [_origin, *env_list("PALIER_WEBAUTHN_EXTRA_ORIGINS", [])]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a second factor, after the password
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "palier.signin"


def _oidc_providers() -> dict[str, dict]:
    """Single sign-on through OpenID Connect providers (docs/configuration.md): one block of
    PALIER_OIDC_<NAME>_* variables per name listed in PALIER_OIDC_PROVIDERS."""
    providers = {}
    for name in env_list("PALIER_OIDC_PROVIDERS", []):
        if not name.isidentifier():
            raise ConfigError(f"PALIER_OIDC_PROVIDERS: {name!r} is not a plain name")
        prefix = f"PALIER_OIDC_{name.upper()}_"
        audience = env_str(prefix + "FOR", "all")
        if audience not in {"all", "staff", "contacts"}:
            raise ConfigError(f"{prefix}FOR must be all, staff or contacts; got {audience!r}")
        providers[name.lower()] = {
            "issuer": env_str(prefix + "ISSUER").rstrip("/"),
            "client_id": env_str(prefix + "CLIENT_ID"),
            "client_secret": env_str(prefix + "CLIENT_SECRET"),
            "label": env_str(prefix + "LABEL", name),
            "for": audience,
            "scopes": env_str(prefix + "SCOPES", "openid email profile"),
            "verified_claim": env_str(prefix + "VERIFIED_CLAIM", "email_verified"),
            "mfa": env_bool(prefix + "MFA", False),
        }
    return providers


PALIER_OIDC_PROVIDERS = _oidc_providers()

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

# The account's other IBANs a bank file (camt.053/.054) may report on beside the creditor's
# QR-IBAN, e.g. its ordinary IBAN; a file for any other account is refused (check palier.E108).
PALIER_BILLING_BANK_IBANS = env_list("PALIER_BANK_IBANS", [])

# Invoices: the vendor's UID for VAT, payment terms, the unit time is billed in (checks
# palier.E106, E107).
PALIER_BILLING_VAT_NUMBER = env_str("PALIER_BILLING_VAT_NUMBER")
PALIER_BILLING_PAYMENT_DAYS = env_int("PALIER_BILLING_PAYMENT_DAYS", 30, minimum=0)
PALIER_BILLING_UNIT = env_str("PALIER_BILLING_UNIT", "0.05h")
PALIER_BILLING_ROUNDING = env_str("PALIER_BILLING_ROUNDING", "up")

# Satisfaction surveys after a request is resolved (palier/satisfaction/conf.py).
PALIER_SATISFACTION_ENABLED = env_bool("PALIER_SATISFACTION_ENABLED", True)
PALIER_SATISFACTION_QUIET_DAYS = env_int("PALIER_SATISFACTION_QUIET_DAYS", 30, minimum=0)
PALIER_SATISFACTION_LINK_DAYS = env_int("PALIER_SATISFACTION_LINK_DAYS", 14, minimum=1)
PALIER_SATISFACTION_LOW_SCORE = env_int("PALIER_SATISFACTION_LOW_SCORE", 2, minimum=0)

# The managers' weekly report by mail (palier/dashboards/weekly.py): weekday 0 = Monday.
PALIER_WEEKLY_REPORT_ENABLED = env_bool("PALIER_WEEKLY_REPORT_ENABLED", True)
PALIER_WEEKLY_REPORT_WEEKDAY = env_int("PALIER_WEEKLY_REPORT_WEEKDAY", 0, minimum=0)
PALIER_WEEKLY_REPORT_HOUR = env_int("PALIER_WEEKLY_REPORT_HOUR", 7, minimum=0)
if PALIER_WEEKLY_REPORT_WEEKDAY > 6 or PALIER_WEEKLY_REPORT_HOUR > 23:
    raise ConfigError("PALIER_WEEKLY_REPORT_WEEKDAY is 0-6 (Monday-Sunday), _HOUR is 0-23")

PALIER_REOPEN_DAYS = env_int("PALIER_REOPEN_DAYS", 14, minimum=0)
# Days an invitation's set-password link works (it works once).
PALIER_INVITATION_DAYS = env_int("PALIER_INVITATION_DAYS", 7, minimum=1)
# Webhooks to private, loopback and link-local addresses (a desk's own network); the cloud
# metadata addresses stay refused.
PALIER_WEBHOOKS_ALLOW_PRIVATE = env_bool("PALIER_WEBHOOKS_ALLOW_PRIVATE", False)
PALIER_VENDOR_NAME = env_str("PALIER_VENDOR_NAME", "Palier Software SA")

# `palier serve`: gunicorn's worker processes and the address it listens on.
PALIER_WEB_WORKERS = env_int("PALIER_WEB_WORKERS", 2, minimum=1)
PALIER_BIND = env_str("PALIER_BIND", "127.0.0.1:8000")

# `palier backup`: where archives go and how many stay (docs/configuration.md, "Backups").
PALIER_BACKUP_DIR = env_path("PALIER_BACKUP_DIR", DATA_DIR / "backups")
PALIER_BACKUP_KEEP = env_int("PALIER_BACKUP_KEEP", 14, minimum=0)

# Observability (docs/configuration.md, "Health, metrics, logs and errors").
PALIER_READY_WORKER_MAX_AGE = env_int("PALIER_READY_WORKER_MAX_AGE", 120, minimum=5)
PALIER_READY_OUTBOX_MAX_AGE = env_int("PALIER_READY_OUTBOX_MAX_AGE", 300, minimum=1)
PALIER_READY_MAIL_BACKLOG = env_int("PALIER_READY_MAIL_BACKLOG", 1000, minimum=0)
PALIER_METRICS_TOKEN = env_str("PALIER_METRICS_TOKEN")
PALIER_METRICS_ALLOWED_IPS = frozenset(env_list("PALIER_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"]))
# prometheus-client reads this when it is imported: the folder where this host's Palier
# processes write their counters (made by serve, worker and demo; never by settings).
_METRICS_DIR = env_path("PALIER_RUN_DIR", DATA_DIR / "run") / "metrics"
if _METRICS_DIR.is_dir() and PALIER_ENV != "test":
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_METRICS_DIR))
PALIER_LOG_FORMAT = env_str("PALIER_LOG_FORMAT", "text")
if PALIER_LOG_FORMAT not in {"text", "json"}:
    raise ConfigError(f"PALIER_LOG_FORMAT must be text or json; got {PALIER_LOG_FORMAT!r}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # One JSON object a line: time, level, logger, message (and the exception).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"}
        | ({"formatter": "json"} if PALIER_LOG_FORMAT == "json" else {})
    },
    "root": {"handlers": ["console"], "level": env_str("PALIER_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Error reporting to Sentry (or a Sentry-compatible service such as GlitchTip), when set.
PALIER_SENTRY_DSN = env_str("PALIER_SENTRY_DSN")
if PALIER_SENTRY_DSN:
    from palier.ops.errors import init_error_reporting

    init_error_reporting(
        PALIER_SENTRY_DSN,
        environment=env_str("PALIER_SENTRY_ENVIRONMENT", PALIER_ENV),
        traces_sample_rate=float(env_str("PALIER_SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )
