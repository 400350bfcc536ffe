"""Settings for Trace, read from the environment.

Local development needs nothing set: DEBUG is on and the database is a SQLite
file. In production (DEBUG off) SECRET_KEY and ALLOWED_HOSTS must be given, or
start-up fails rather than running with an unsafe default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Used only with DEBUG on (bandit B105 reviewed).
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # nosec B105
elif not DEBUG and SECRET_KEY.startswith("change-me"):
    raise ImproperlyConfigured("SECRET_KEY is still the placeholder of .env.example: generate a real one.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "traceability.accounts",
    "traceability.consultations",
    "traceability.outcomes",
    "traceability.dispositions",
    "traceability.reports",
    "traceability.publications",
    "traceability.demo",
    "traceability.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before everything that writes a body. Compresses pages, and in `make run` the CSS too (there WhiteNoise serves
    # it uncompressed; in production it serves its own precompressed copies, left alone); never downloads.
    "traceability.consultations.middleware.PageGZipMiddleware",
    # Outside the rest, so that every response carries the policy, redirects of the middleware below too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "traceability.languages.LanguageChoiceMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "traceability.accounts.middleware.IdleTimeoutMiddleware",
    "traceability.accounts.middleware.MfaRequiredMiddleware",
    "traceability.accounts.middleware.BlockedRequestMiddleware",
    "traceability.consultations.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "traceability.urls"

# SQLite has no covering indexes: the INCLUDE columns of submission_target_active (consultations.Submission) are
# for PostgreSQL, and on SQLite it is the same index without them, which is all the embedded default needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# `make bench` only (bench/bench.py sets it for the server it starts): each response says how many SQL queries
# it ran (X-Trace-Queries), and /__bench__/insert/ is the bare one-INSERT view the intake is compared with.
TRACE_BENCH = env_bool("TRACE_BENCH", False)
if TRACE_BENCH:
    MIDDLEWARE.insert(0, "traceability.operations.bench.QueryCountMiddleware")
    ROOT_URLCONF = "traceability.bench_urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "traceability.wsgi.application"

# SQLite file when DATABASE_URL is unset. On SQLite, WAL lets readers run
# beside the writer, and IMMEDIATE transactions take the write lock at BEGIN,
# which is what serialises receipt numbering (select_for_update is a no-op there).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A persistent connection is checked before a request reuses it: a restarted database server
        # costs a reconnect, not a 500 on the first request of each worker.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(BASE_DIR / "test-db.sqlite3")

# A PostgreSQL read replica of the primary for the public report's reads (traceability/replica.py): set
# DATABASE_REPLICA_URL to the replica (e.g. a streaming-replication standby). Tests mirror it onto "default".
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0), conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["traceability.replica.ReplicaRouter"]
    MIDDLEWARE.append("traceability.replica.ReplicaReadsMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "reports:me"
LOGOUT_REDIRECT_URL = "consultations:process-list"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Passwords per OWASP ASVS level 2: 12 characters at least, nothing similar to the account's own
# details, and nothing on the breached-password list (Django's 20,000 common passwords, also after
# undoing the usual disguises: case, digits and symbols at either end, 4 for a, 0 for o...). Offline.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name", "organisation")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "traceability.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts (django-allauth): the e-mail address is the sign-in name and must be verified before the
# account can sign in (and so before anything it files counts). Organisers and site admins must
# also use a second factor (TOTP, with recovery codes); see accounts/middleware.py.
ACCOUNT_ADAPTER = "traceability.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "traceability.accounts.forms.SignUpForm", "login": "traceability.accounts.forms.SignInForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Trace] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Lockout: 5 failed sign-ins for one address in 15 minutes lock that address for the rest of the
# window, and 20 failures a minute from one IP lock the IP (checked before the password is).
# Every limit is counted in the shared cache (CACHES below), so all workers see the same counts.
# TRACE_RATE_LIMITS=off turns every limit off: for the bounded load test only, never in public.
RATE_LIMITS_ON = os.environ.get("TRACE_RATE_LIMITS", "on") != "off"
ACCOUNT_RATE_LIMITS = (
    {
        "login_failed": os.environ.get("TRACE_RATE_LOGIN_FAILED", "20/m/ip,5/15m/key"),
        "login": os.environ.get("TRACE_RATE_LOGIN", "30/m/ip"),
        "signup": os.environ.get("TRACE_RATE_SIGNUP", "5/10m/ip,20/d/ip"),
        "reset_password": os.environ.get("TRACE_RATE_RESET_PASSWORD", "10/m/ip,3/h/key"),
        # Filing a submission: our own action, in the same notation, counted by traceability.accounts.ratelimit
        # (no lock to wait for: a burst of filings under the limit is never refused).
        "file_submission": os.environ.get("TRACE_RATE_FILING", "10/10m/user,100/d/user,60/h/ip"),
    }
    if RATE_LIMITS_ON
    # Off (the load test) never turns off the sign-in lockout, nor the second factor's guess limit.
    else {"login_failed": "20/m/ip,5/15m/key"}
)
# Behind a reverse proxy, the client's address is the last N hops of X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MFA_ADAPTER = "traceability.accounts.mfa_adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Mail the account when its password, address or second factor changes (ASVS 2.2.3).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# The key that encrypts TOTP secrets in the database and account mails in the task queue
# (accounts/crypto.py). Defaults to SECRET_KEY; set it apart so that rotating one leaves the other.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Trace")

# Sessions: signed out after 30 minutes without a request (accounts/middleware.py) and after
# 12 hours in any case. On HTTPS the cookies carry the __Host- prefix (Secure, Path=/, no Domain).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 60 * 60)))
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# One cache shared by every worker (rate-limit counts must be): a database table in the embedded
# default (`manage.py createcachetable`, which `make run` runs), Redis in production (CACHE_URL=redis://...).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL in ("", "db"):
    # Room for every counter: past MAX_ENTRIES Django culls a third of the keys, rate-limit counts included.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "trace_cache",
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }
else:
    raise ImproperlyConfigured("CACHE_URL must be empty (the database cache) or a redis:// URL.")

# Keyed hash of client addresses in the audit log: the log can tell repeat sources apart without
# storing an address. Set AUDIT_IP_KEY to keep hashes comparable across SECRET_KEY rotations.
AUDIT_IP_KEY = os.environ.get("AUDIT_IP_KEY", "")

LANGUAGE_CODE = "en"
# Every page's address starts with its language (/fr/processes/...), so a cited link keeps its language. A language
# is offered only once its catalogue in locale/ is complete and compiled: tests/test_translations.py fails otherwise.
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
    ("pt-br", _("Brazilian Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers follow the page's language; traceability/formats fills what Django's locales leave out.
FORMAT_MODULE_PATH = ["traceability.formats"]
# The reader's last choice, for addresses without a language (old links, the bare domain); set by
# traceability.languages.LanguageChoiceMiddleware whenever a page is read in a language.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Downloads built by a background task (the disposition of comments, mapping.json: reports/exports/builds.py),
# one file per version of a process's data, served through the views only. EXPORTS_ROOT must be shared by the
# task workers and the app servers (a shared volume; or point this storage at an object store).
EXPORTS_ROOT = Path(os.environ.get("EXPORTS_ROOT", BASE_DIR / "var" / "exports"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "exports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": EXPORTS_ROOT}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "trace@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connection may block; mail is sent by the task worker, never in a request.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

# The address mails link to (no trailing slash). Defaults to `make run`'s server when DEBUG is on,
# else to https:// and the first of ALLOWED_HOSTS.
_first_host = next((h for h in ALLOWED_HOSTS if not h.startswith((".", "*", "["))), "localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else f"https://{_first_host}").rstrip("/")

# Background work (mail now; snapshots and spreadsheets at scale later) goes through the Django tasks API.
# The embedded default is the database backend: tasks are rows, run by `manage.py db_worker` (which
# `make run` starts beside the server). In production, TASKS_BACKEND=rq puts them on Redis (REDIS_URL),
# run by `manage.py rqworker --with-scheduler figures default` (the scheduler runs the deferred retries).
# TASKS_BACKEND=immediate runs each task at once in the process that enqueues it (no worker).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# A report's figures counted again after a decision (seconds each, while readers see the older ones with their age)
# go before mail and the built downloads (minutes for a large spreadsheet): by their priority on the database
# backend, whose workers take every task of "default" by priority; on RQ, which has no priorities, in the "figures"
# queue, which its workers name first (reports.tasks.enqueue_figures).
TASK_QUEUES = ["figures", "default"]
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # An hour: building the spreadsheet or the snapshot of a million submissions takes minutes (a job
    # killed at its timeout would be queued again and killed again).
    RQ_QUEUES = {
        "figures": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600},
        "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600},
    }
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}  # rqworker runs django-tasks' tasks with it
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be one of: database, rq, immediate.")

# A notification whose delivery fails is retried after 1, 2, 4, ... minutes, and marked failed
# (re-sendable with `manage.py resend_notifications`) after this many attempts.
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "5"))
NOTIFICATION_RETRY_SECONDS = int(os.environ.get("NOTIFICATION_RETRY_SECONDS", "60"))

# Strict Content Security Policy: no inline scripts, no inline styles, nothing
# from other origins. Pages must not grow to depend on inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Uploads of outcome documents are plain text; 2 MB is far above any real text.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
OUTCOME_UPLOAD_MAX_BYTES = 2 * 1024 * 1024

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The security log (accounts/audit.py): one JSON object per line, always written.
    "loggers": {"trace.security": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

TRACE_PAGE_SIZE = 50
# The report's page for anonymous readers is the same for all of them (no form token, no name, no message): it is
# kept whole in the shared cache under the version of everything it shows, for this many seconds at most (the phase
# and the days left move with the clock alone; admin edits of a title show within this time). 0 turns it off.
TRACE_REPORT_PAGE_SECONDS = int(os.environ.get("TRACE_REPORT_PAGE_SECONDS", "60"))
# From this many submissions in a process, the report's figures that read every decision or reply (by clause, the
# after-consultation interaction, the redline's links) are counted again by a background task after a decision,
# while readers get them as they were with their age; below it, the reader who needs them counts them at once (a
# few milliseconds at this size).
TRACE_BACKGROUND_FROM = int(os.environ.get("TRACE_BACKGROUND_FROM", "20000"))
