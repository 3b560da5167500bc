"""Acuerda settings: every server setting comes from the environment (see README)."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("ACUERDA_DATA_DIR", str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("ACUERDA_DEBUG", False)


def _secret_key() -> str:
    """The key comes from the environment; the embedded default keeps one in the data dir."""
    key = env_str("ACUERDA_SECRET_KEY", "")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ACUERDA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ACUERDA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "acuerda.core",
    "acuerda.people",
    "acuerda.creditors",
    "acuerda.portfolios",
    "acuerda.debtors",
    "acuerda.debts",
    "acuerda.imports",
    "acuerda.compliance",
    "acuerda.privacy",
    "acuerda.workspace",
    "acuerda.agreements",
    "acuerda.payments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "acuerda.core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "acuerda.people.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database: SQLite in the data directory by default, anything dj-database-url parses otherwise.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'acuerda.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("ACUERDA_DB_CONN_MAX_AGE", 60, minimum=0))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # WAL lets the web server and the worker read while one of them writes; IMMEDIATE takes the
        # write lock up front so concurrent writers wait (busy timeout) instead of deadlocking.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    _db["TEST"] = {"NAME": env_str("ACUERDA_TEST_SQLITE_NAME", "") or None}
elif _db["ENGINE"] not in ("django.db.backends.postgresql",):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"DATABASE_URL uses {_db['ENGINE']}; Acuerda supports SQLite and PostgreSQL only."
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["acuerda.people.permissions.RoleBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ACUERDA_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Language and time: Spanish first, English second; stored in UTC.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "acuerda" / "locale"]
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = env_str("ACUERDA_TIME_ZONE", "Europe/Madrid")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- The agency, as agents introduce it (scripts and legally required disclosures).
ACUERDA_AGENCY_NAME = env_str("ACUERDA_AGENCY_NAME", "Acuerda Gestión de Cobros")
ACUERDA_AGENCY_PHONE = env_str("ACUERDA_AGENCY_PHONE", "+34 900 000 000")
ACUERDA_AGENCY_ADDRESS = env_str("ACUERDA_AGENCY_ADDRESS", "Calle Mayor 1, 28013 Madrid")
# On the fee invoices and remittances to creditors, and as the SEPA direct-debit creditor.
ACUERDA_AGENCY_TAX_ID = env_str("ACUERDA_AGENCY_TAX_ID", "B00000000")
ACUERDA_AGENCY_IBAN = env_str("ACUERDA_AGENCY_IBAN", "ES9121000418450200051332")
ACUERDA_AGENCY_BIC = env_str("ACUERDA_AGENCY_BIC", "CAIXESBBXXX")
ACUERDA_SEPA_CREDITOR_ID = env_str("ACUERDA_SEPA_CREDITOR_ID", "ES23ZZZ47690558N")
# Payment providers allowed to notify payments: "code:secret,code2:secret2" (HMAC-SHA256 signatures).
ACUERDA_PAYMENT_PROVIDERS = dict(
    item.split(":", 1) for item in env_list("ACUERDA_PAYMENT_PROVIDERS", []) if ":" in item
)

# --- API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Acuerda API",
    "DESCRIPTION": "Debt collection platform: creditors, portfolios, debtors, accounts and ledgers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AccountStatusEnum": "acuerda.debts.choices.AccountStatus",
        "PortfolioStatusEnum": "acuerda.portfolios.choices.PortfolioStatus",
        "ContactStatusEnum": "acuerda.debtors.choices.ContactStatus",
        "DebtorKindEnum": "acuerda.debtors.choices.DebtorKind",
        "ContactKindEnum": "acuerda.debtors.choices.ContactKind",
        "EntryKindEnum": "acuerda.debts.choices.EntryKind",
        "EventKindEnum": "acuerda.debts.choices.EventKind",
    },
}

# --- Background work: an embedded SQLite broker by default, Redis in production.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", f"sqla+sqlite:///{DATA_DIR / 'celery-broker.sqlite3'}")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "ledger-check-nightly": {"task": "debts.ledger_check", "schedule": crontab(hour=3, minute=15)},
    "privacy-retention-nightly": {"task": "privacy.retention_run", "schedule": crontab(hour=2, minute=30)},
    "imports-files-cleanup-nightly": {"task": "imports.files_cleanup", "schedule": crontab(hour=2, minute=50)},
    "agreements-promises-nightly": {"task": "agreements.promises_evaluate", "schedule": crontab(hour=4, minute=0)},
    "agreements-plans-nightly": {"task": "agreements.plans_evaluate", "schedule": crontab(hour=4, minute=10)},
    "agreements-reminders-daily": {"task": "agreements.reminders_emit", "schedule": crontab(hour=6, minute=0)},
    # Priorities follow the days past due: rebuilt before the shift and every hour (new placements).
    "workspace-queue-refresh": {"task": "workspace.queue_refresh", "schedule": crontab(minute=5)},
}

LOG_LEVEL = env_choice("ACUERDA_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
